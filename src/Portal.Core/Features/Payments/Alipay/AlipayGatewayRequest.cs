using System.Security.Cryptography;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>
/// A gateway call as received by the built-in simulator, i.e. the server side of <see cref="AlipayRequestBuilder"/>.
/// Parse errors carry Alipay's own sub_code as <see cref="Error.Code"/> (e.g. <c>isv.missing-signature</c>) so the
/// simulator can answer exactly as the real gateway would (see <see cref="AlipayGatewayResponse.BuildSignedFailureBody"/>).
/// </summary>
public sealed class AlipayGatewayRequest
{
    /// <summary>sub_code for a signature that does not verify with the merchant's public key (code 40002).</summary>
    public const string InvalidSignatureSubCode = "isv.invalid-signature";

    private AlipayGatewayRequest(IReadOnlyDictionary<string, string> parameters)
    {
        Parameters = parameters;
    }

    /// <summary>All received parameters, form-decoded, including <c>sign</c>.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>app_id.</summary>
    public string AppId => Parameters["app_id"];

    /// <summary>method, e.g. alipay.trade.query.</summary>
    public string Method => Parameters["method"];

    /// <summary>sign (base64).</summary>
    public string Sign => Parameters["sign"];

    /// <summary>timestamp as sent (GMT+8 wall-clock).</summary>
    public string Timestamp => Parameters["timestamp"];

    /// <summary>notify_url, when sent.</summary>
    public string? NotifyUrl => Parameters.GetValueOrDefault("notify_url");

    /// <summary>return_url, when sent.</summary>
    public string? ReturnUrl => Parameters.GetValueOrDefault("return_url");

    /// <summary>The raw biz_content JSON, when sent.</summary>
    public string? BizContent => Parameters.GetValueOrDefault("biz_content");

    /// <summary>The content the merchant must have signed, rebuilt exactly as the gateway does.</summary>
    public string SignContent => AlipaySignature.BuildSignContent(Parameters.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)));

    /// <summary>Validates the common parameters of a posted form (query string and body merged by the caller).</summary>
    public static Result<AlipayGatewayRequest> Parse(IEnumerable<KeyValuePair<string, string?>> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in fields)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            if (!parameters.TryAdd(key, value))
            {
                return new Error("isv.invalid-parameter", $"参数{key}重复");
            }
        }

        foreach (var (key, subCode) in new[]
        {
            ("app_id", "isv.missing-app-id"), ("method", "isv.missing-method"), ("sign", "isv.missing-signature"),
            ("sign_type", "isv.missing-signature-type"), ("timestamp", "isv.missing-timestamp"), ("version", "isv.missing-version"),
        })
        {
            if (!parameters.ContainsKey(key))
            {
                return new Error(subCode, $"缺少{key}参数");
            }
        }

        if (parameters["sign_type"] != AlipaySignature.SignTypeRsa2)
        {
            return new Error("isv.invalid-signature-type", "签名类型只支持RSA2");
        }

        if (!AlipayTime.TryParse(parameters["timestamp"], out _))
        {
            return new Error("isv.invalid-timestamp", "非法的时间戳参数");
        }

        if (parameters.GetValueOrDefault("charset") is { } charset && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return new Error("isv.invalid-charset", "字符集只支持utf-8");
        }

        return new AlipayGatewayRequest(parameters);
    }

    /// <summary>Checks <see cref="Sign"/> against the merchant's (app's) public key registered with the gateway.</summary>
    public bool VerifySignature(RSA merchantPublicKey) => AlipaySignature.Verify(SignContent, Sign, merchantPublicKey);

    /// <summary>
    /// The error the real gateway returns for a bad signature; like Alipay, it shows the expected sign content,
    /// which is what makes this error debuggable.
    /// </summary>
    public Error InvalidSignatureError() =>
        new(InvalidSignatureSubCode, $"验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{SignContent}");
}
