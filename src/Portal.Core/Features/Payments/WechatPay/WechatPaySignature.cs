using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Features.Payments.WechatPay;

/// <summary>The parts of an Authorization header: who signed, with which certificate, when, and the signature.</summary>
public sealed record WechatPayAuthorization(string MchId, string NonceStr, long Timestamp, string SerialNo, string Signature);

/// <summary>
/// APIv3 signatures (签名生成 / 签名验证): SHA256 with RSA (PKCS#1 v1.5) over five lines for requests and three lines for
/// answers and notifications, every line ending in <c>\n</c>, the last included; base64 on the wire.
/// </summary>
public static class WechatPaySignature
{
    /// <summary>The authentication scheme of the Authorization header.</summary>
    public const string Scheme = "WECHATPAY2-SHA256-RSA2048";

    /// <summary>
    /// <c>METHOD\nURL\ntimestamp\nnonce\nbody\n</c>: the URL without scheme and host, with its query string exactly as
    /// sent; the body exactly as sent (empty for GET).
    /// </summary>
    public static string RequestMessage(string method, string canonicalUrl, long timestamp, string nonce, string body) =>
        $"{method}\n{canonicalUrl}\n{timestamp.ToString(CultureInfo.InvariantCulture)}\n{nonce}\n{body}\n";

    /// <summary><c>timestamp\nnonce\nbody\n</c> for answers and notifications (Wechatpay-Timestamp, Wechatpay-Nonce, raw body).</summary>
    public static string ResponseMessage(string timestamp, string nonce, string body) => $"{timestamp}\n{nonce}\n{body}\n";

    public static string Sign(string message, RSA privateKey) =>
        Convert.ToBase64String(privateKey.SignData(Encoding.UTF8.GetBytes(message), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    /// <summary>False for a malformed (non-base64) signature as for a wrong one.</summary>
    public static bool Verify(string message, string signature, RSA publicKey)
    {
        byte[] raw;
        try
        {
            raw = Convert.FromBase64String(signature);
        }
        catch (FormatException)
        {
            return false;
        }

        return publicKey.VerifyData(Encoding.UTF8.GetBytes(message), raw, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    /// <summary>The header value: <c>WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"</c>.</summary>
    public static string AuthorizationHeader(WechatPayAuthorization a) =>
        $"{Scheme} mchid=\"{a.MchId}\",nonce_str=\"{a.NonceStr}\",signature=\"{a.Signature}\",timestamp=\"{a.Timestamp.ToString(CultureInfo.InvariantCulture)}\",serial_no=\"{a.SerialNo}\"";

    /// <summary>Signs a request and returns its Authorization header value.</summary>
    public static string Authorize(string method, string canonicalUrl, string body, string mchId, string serialNo, RSA privateKey, long timestamp, string nonce) =>
        AuthorizationHeader(new WechatPayAuthorization(mchId, nonce, timestamp, serialNo, Sign(RequestMessage(method, canonicalUrl, timestamp, nonce, body), privateKey)));

    /// <summary>Parses a header value (fields in any order, as the documentation allows); null when it is not one.</summary>
    public static WechatPayAuthorization? ParseAuthorization(string? header)
    {
        if (header is null || !header.StartsWith(Scheme + " ", StringComparison.Ordinal)) return null;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in header[(Scheme.Length + 1)..].Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) return null;
            var value = part[(eq + 1)..].Trim();
            if (value.Length < 2 || value[0] != '"' || value[^1] != '"') return null;
            if (!fields.TryAdd(part[..eq].Trim(), value[1..^1])) return null;
        }

        return fields.TryGetValue("mchid", out var mchId) && fields.TryGetValue("nonce_str", out var nonce)
               && fields.TryGetValue("timestamp", out var ts) && long.TryParse(ts, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)
               && fields.TryGetValue("serial_no", out var serial) && fields.TryGetValue("signature", out var signature)
            ? new WechatPayAuthorization(mchId, nonce, timestamp, serial, signature)
            : null;
    }

    /// <summary>32 upper-case hex characters, like the documentation's example nonce.</summary>
    public static string NewNonce() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
}
