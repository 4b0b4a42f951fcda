using System.Security.Cryptography;
using System.Text.Json;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>Verifies synchronous gateway responses with the Alipay public key.</summary>
public static class AlipayResponseVerifier
{
    /// <summary>
    /// Extracts the response node of <paramref name="method"/> (or <c>error_response</c>) from the raw body and
    /// verifies its signature. Successful responses must be signed; a failure without a signature comes back as
    /// <see cref="AlipayErrors.UnsignedResponseCode"/> so its content is never used as data. A result with a
    /// non-10000 code is still returned as a value: the caller decides how to report it.
    /// </summary>
    public static Result<AlipayResponse> Verify(string body, string method, RSA alipayPublicKey)
    {
        var envelope = AlipayResponseEnvelope.Parse(body, method);
        if (!envelope.IsSuccess)
        {
            return envelope.Error;
        }

        var (nodeName, rawJson, sign) = envelope.Value;
        JsonElement content;
        using (var document = JsonDocument.Parse(rawJson))
        {
            content = document.RootElement.Clone();
        }

        var code = ReadString(content, "code");
        if (code is null)
        {
            return AlipayErrors.InvalidResponse($"'{nodeName}' has no code.");
        }

        var response = new AlipayResponse(
            nodeName, rawJson, content, code, ReadString(content, "msg"), ReadString(content, "sub_code"), ReadString(content, "sub_msg"));

        if (sign is null)
        {
            return response.IsSuccessCode
                ? AlipayErrors.InvalidSignature("A successful Alipay response arrived without a signature.")
                : AlipayErrors.UnsignedResponse(
                    $"Alipay returned an unsigned failure: {response.Code} {response.SubCode} {response.SubMsg ?? response.Msg}".TrimEnd());
        }

        if (!VerifyRawContent(rawJson, sign, alipayPublicKey))
        {
            return AlipayErrors.InvalidSignature($"The signature of '{nodeName}' does not verify with the Alipay public key.");
        }

        return response;
    }

    // Some gateway paths sign the text before JSON-escaping '/', so the official SDKs retry once unescaped.
    private static bool VerifyRawContent(string rawJson, string sign, RSA alipayPublicKey) =>
        AlipaySignature.Verify(rawJson, sign, alipayPublicKey)
        || (rawJson.Contains(@"\/", StringComparison.Ordinal)
            && AlipaySignature.Verify(rawJson.Replace(@"\/", "/", StringComparison.Ordinal), sign, alipayPublicKey));

    private static string? ReadString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
