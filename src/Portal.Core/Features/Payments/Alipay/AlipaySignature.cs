using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>
/// RSA2 (SHA256withRSA, PKCS#1 v1.5) signing and the exact sign-content rules of Alipay OpenAPI v2.
/// A single byte of difference in the content makes the gateway answer isv.invalid-signature,
/// so every rule here mirrors the official SDKs rather than what looks tidy.
/// </summary>
public static class AlipaySignature
{
    /// <summary>The only signature type this client supports.</summary>
    public const string SignTypeRsa2 = "RSA2";

    /// <summary>
    /// Request sign content: every parameter except <c>sign</c> (<c>sign_type</c> is included), entries with an
    /// empty key or value dropped, keys sorted ordinally, joined as raw <c>key=value</c> pairs with '&amp;'.
    /// Values are neither URL-encoded nor trimmed: the gateway signs the decoded values it received.
    /// </summary>
    /// <exception cref="ArgumentException">A key appears twice; the gateway would see only one of them.</exception>
    public static string BuildSignContent(IEnumerable<KeyValuePair<string, string?>> parameters)
    {
        var kept = parameters
            .Where(p => !string.IsNullOrEmpty(p.Key) && !string.IsNullOrEmpty(p.Value) && p.Key != "sign")
            .Select(p => new KeyValuePair<string, string>(p.Key, p.Value!))
            .ToList();
        if (HasDuplicateKeys(kept))
        {
            throw new ArgumentException("A parameter name appears more than once.", nameof(parameters));
        }

        return Join(kept);
    }

    /// <summary>
    /// Sign content of an asynchronous notification under Alipay's V1 rule (Java <c>rsaCheckV1</c>):
    /// <c>sign</c> and <c>sign_type</c> are removed, everything else, including empty values (as <c>k=</c>),
    /// is kept with the form-decoded value exactly as received. Decoding a second time breaks values
    /// containing '%' or '+' (alipay-sdk-nodejs-all#45).
    /// </summary>
    public static string BuildNotifyContentV1(IEnumerable<KeyValuePair<string, string?>> fields) =>
        Join(fields
            .Where(f => f.Key is not ("sign" or "sign_type"))
            .Select(f => new KeyValuePair<string, string>(f.Key, f.Value ?? "")));

    /// <summary>The V2 rule (Java <c>rsaCheckV2</c>): as V1 but <c>sign_type</c> stays in. Used by gateway event messages.</summary>
    public static string BuildNotifyContentV2(IEnumerable<KeyValuePair<string, string?>> fields) =>
        Join(fields
            .Where(f => f.Key != "sign")
            .Select(f => new KeyValuePair<string, string>(f.Key, f.Value ?? "")));

    /// <summary>Signs UTF-8 content with SHA256withRSA (PKCS#1 v1.5) and returns standard padded base64.</summary>
    public static string Sign(string content, RSA privateKey)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(privateKey);
        var signature = privateKey.SignData(Encoding.UTF8.GetBytes(content), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return Convert.ToBase64String(signature);
    }

    /// <summary>Verifies a base64 RSA2 signature. Malformed signatures are simply invalid, never exceptions.</summary>
    public static bool Verify(string content, string? sign, RSA publicKey)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(publicKey);
        if (string.IsNullOrEmpty(sign))
        {
            return false;
        }

        var signature = new byte[sign.Length];
        if (!Convert.TryFromBase64String(sign, signature, out var length))
        {
            return false;
        }

        try
        {
            return publicKey.VerifyData(
                Encoding.UTF8.GetBytes(content), signature.AsSpan(0, length), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// Verifies a <c>trade_status_sync</c> notification (or a return_url query) with the V1 rule, the only rule
    /// under which real trade notifications verify. Fields must be the form-decoded values as posted.
    /// A repeated field or a <c>sign_type</c> other than RSA2 makes the message invalid.
    /// </summary>
    public static bool VerifyNotifyV1(IEnumerable<KeyValuePair<string, string?>> fields, RSA alipayPublicKey) =>
        VerifyNotify(fields, alipayPublicKey, BuildNotifyContentV1);

    /// <summary>Verifies a gateway event message (e.g. <c>servicemarket_order_notify</c>) with the V2 rule.</summary>
    public static bool VerifyNotifyV2(IEnumerable<KeyValuePair<string, string?>> fields, RSA alipayPublicKey) =>
        VerifyNotify(fields, alipayPublicKey, BuildNotifyContentV2);

    private static bool VerifyNotify(
        IEnumerable<KeyValuePair<string, string?>> fields,
        RSA alipayPublicKey,
        Func<IEnumerable<KeyValuePair<string, string?>>, string> buildContent)
    {
        var list = fields.ToList();
        // Which of two repeated values a framework hands us is arbitrary, so a repeated key is an attack surface.
        if (HasDuplicateKeys(list))
        {
            return false;
        }

        var signType = list.FirstOrDefault(f => f.Key == "sign_type").Value;
        if (signType is not null && signType != SignTypeRsa2)
        {
            return false;
        }

        var sign = list.FirstOrDefault(f => f.Key == "sign").Value;
        return Verify(buildContent(list), sign, alipayPublicKey);
    }

    private static bool HasDuplicateKeys<TValue>(IReadOnlyCollection<KeyValuePair<string, TValue>> entries) =>
        entries.Select(e => e.Key).Distinct(StringComparer.Ordinal).Count() != entries.Count;

    // Ordinal, not culture: the gateway sorts by UTF-16 code unit, so "Z" < "_" < "a".
    private static string Join(IEnumerable<KeyValuePair<string, string>> entries) =>
        string.Join('&', entries.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}"));
}
