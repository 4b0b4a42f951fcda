using System.Text;
using System.Text.Json;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>
/// The parts of a synchronous gateway response body that matter for verification:
/// <c>{"alipay_trade_query_response":{...},"sign":"..."}</c>.
/// </summary>
/// <param name="NodeName">The response node found: <c>&lt;method with '.'→'_'&gt;_response</c> or <c>error_response</c>.</param>
/// <param name="RawJson">The node's value exactly as received (escapes, key order and whitespace kept): this is what Alipay signed.</param>
/// <param name="Sign">The top-level <c>sign</c>, or null when absent.</param>
public sealed record AlipayResponseEnvelope(string NodeName, string RawJson, string? Sign)
{
    /// <summary>Name of the node carrying gateway-level errors.</summary>
    public const string ErrorNodeName = "error_response";

    /// <summary>The response node name for a method, e.g. alipay.trade.query → alipay_trade_query_response.</summary>
    public static string NodeNameFor(string method) => method.Replace('.', '_') + "_response";

    /// <summary>
    /// Finds the response node and <c>sign</c> among the top-level properties and cuts the node's raw text.
    /// The signed text must never be re-serialised: any change in escaping or order breaks the signature.
    /// A body with the node twice is refused, because a verifier that signs one copy and a parser that
    /// reads the other would accept forged data (the duplicate-node attack the official SDKs guard against).
    /// </summary>
    public static Result<AlipayResponseEnvelope> Parse(string body, string method)
    {
        ArgumentNullException.ThrowIfNull(body);
        var expected = NodeNameFor(method);
        // Byte offsets from the reader index this array; the UTF-8 round trip of a decoded body is lossless.
        var bytes = Encoding.UTF8.GetBytes(body.TrimStart('\uFEFF'));
        try
        {
            return ParseTopLevel(bytes, expected);
        }
        catch (JsonException)
        {
            return AlipayErrors.InvalidResponse("The Alipay response is not valid JSON.");
        }
    }

    private static Result<AlipayResponseEnvelope> ParseTopLevel(byte[] bytes, string expected)
    {
        var reader = new Utf8JsonReader(bytes);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return AlipayErrors.InvalidResponse("The Alipay response is not a JSON object.");
        }

        string? nodeName = null;
        string? rawJson = null;
        string? sign = null;
        var signCount = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // GetString unescapes, so "alipay_trade_query_respons\u0065" still counts as a duplicate.
            var name = reader.GetString()!;
            reader.Read();
            if (name == expected || name == ErrorNodeName)
            {
                if (nodeName is not null)
                {
                    return AlipayErrors.InvalidResponse($"The Alipay response contains more than one '{expected}'/'{ErrorNodeName}' node.");
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return AlipayErrors.InvalidResponse($"'{name}' is not a JSON object.");
                }

                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                nodeName = name;
                rawJson = Encoding.UTF8.GetString(bytes, start, (int)reader.BytesConsumed - start);
            }
            else if (name == "sign")
            {
                if (reader.TokenType != JsonTokenType.String || ++signCount > 1)
                {
                    return AlipayErrors.InvalidResponse("The Alipay response has a malformed or repeated 'sign'.");
                }

                sign = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        // Reading once more makes the reader reject trailing content after the closing brace.
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            return AlipayErrors.InvalidResponse("The Alipay response has trailing content.");
        }

        if (nodeName is null || rawJson is null)
        {
            return AlipayErrors.InvalidResponse($"The Alipay response has no '{expected}' node.");
        }

        return new AlipayResponseEnvelope(nodeName, rawJson, string.IsNullOrEmpty(sign) ? null : sign);
    }
}
