using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>
/// Builds signed synchronous response bodies in Alipay's shape, for the simulator:
/// <c>{"alipay_trade_query_response":{...},"sign":"..."}</c> where the sign covers the node's exact JSON text.
/// </summary>
public static class AlipayGatewayResponse
{
    /// <summary>Serialises <paramref name="content"/> once, signs that text and embeds the very same text.</summary>
    /// <param name="method">The called method; decides the node name.</param>
    /// <param name="content">The node's fields (snake_case; amounts as "0.00" strings), including code and msg.</param>
    /// <param name="alipayPrivateKey">The simulator's "Alipay" private key, whose public half the merchant configured.</param>
    public static string BuildSignedBody(string method, object content, RSA alipayPrivateKey) =>
        BuildSignedNode(AlipayResponseEnvelope.NodeNameFor(method), AlipayRequestBuilder.SerializeBizContent(content), alipayPrivateKey);

    /// <summary>
    /// A signed failure in the method's node. The top-level code follows Alipay's convention from the sub_code:
    /// isv.missing-* → 40001, isv.* and other gateway checks → 40002, business (ACQ.*, …) → 40004.
    /// </summary>
    public static string BuildSignedFailureBody(string method, Error subError, RSA alipayPrivateKey)
    {
        ArgumentNullException.ThrowIfNull(subError);
        var (code, msg) = subError.Code switch
        {
            var c when c.StartsWith("isv.missing-", StringComparison.Ordinal) => ("40001", "Missing Required Arguments"),
            var c when c.StartsWith("isv.", StringComparison.Ordinal) => ("40002", "Invalid Arguments"),
            _ => ("40004", "Business Failed"),
        };
        var node = new JsonObject
        {
            ["code"] = code,
            ["msg"] = msg,
            ["sub_code"] = subError.Code,
            ["sub_msg"] = subError.Message,
        };
        return BuildSignedNode(
            AlipayResponseEnvelope.NodeNameFor(method), node.ToJsonString(AlipayRequestBuilder.BizContentJson), alipayPrivateKey);
    }

    private static string BuildSignedNode(string nodeName, string nodeJson, RSA alipayPrivateKey)
    {
        var sign = AlipaySignature.Sign(nodeJson, alipayPrivateKey);
        // Concatenated, not serialised as a whole, so the embedded node is byte-for-byte the signed text.
        return "{" + JsonSerializer.Serialize(nodeName) + ":" + nodeJson + ",\"sign\":" + JsonSerializer.Serialize(sign) + "}";
    }
}
