using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments.WechatPay;

public enum WechatPayMode
{
    /// <summary>The built-in, offline WeChat Pay stand-in (the default).</summary>
    Simulator,

    /// <summary>A real merchant account used for testing (WeChat Pay has no separate APIv3 sandbox host).</summary>
    Sandbox,

    Production,
}

/// <summary>
/// Bound from <c>WechatPay</c>. The merchant private key signs requests that move money; the WeChat Pay public key
/// (or the platform certificates) and the APIv3 key are what make answers and notifications trustworthy.
/// </summary>
public sealed class WechatPayOptions
{
    public const string SectionName = "WechatPay";

    public const string ProductionGateway = "https://api.mch.weixin.qq.com";

    public WechatPayMode Mode { get; set; } = WechatPayMode.Simulator;

    /// <summary>Optional override of the API host (https only outside the simulator).</summary>
    public string? Gateway { get; set; }

    /// <summary>商户号.</summary>
    public string MchId { get; set; } = "";

    /// <summary>The appid bound to the merchant (公众号 / 开放平台应用).</summary>
    public string AppId { get; set; } = "";

    /// <summary>Serial number of the merchant API certificate (商户API证书序列号).</summary>
    public string MerchantSerialNo { get; set; } = "";

    /// <summary>Merchant API private key (apiclient_key.pem), PEM or bare base64; or <see cref="MerchantPrivateKeyFile"/>.</summary>
    public string? MerchantPrivateKey { get; set; }

    /// <summary>Path to apiclient_key.pem, used when <see cref="MerchantPrivateKey"/> is empty.</summary>
    public string? MerchantPrivateKeyFile { get; set; }

    /// <summary>APIv3 key (32 characters): decrypts notifications and platform certificates.</summary>
    public string ApiV3Key { get; set; } = "";

    /// <summary>WeChat Pay public key id (<c>PUB_KEY_ID_…</c>, 公钥模式). Empty = platform-certificate mode.</summary>
    public string? PublicKeyId { get; set; }

    /// <summary>WeChat Pay public key (pub_key.pem), PEM or bare base64; or <see cref="PublicKeyFile"/>.</summary>
    public string? PublicKey { get; set; }

    public string? PublicKeyFile { get; set; }

    /// <summary>Where WeChat Pay posts notifications; default <c>{Portal:PublicBaseUrl}/payments/wechatpay/notify</c>.</summary>
    public string? NotifyUrl { get; set; }

    /// <summary>How often the platform certificates are fetched again in platform-certificate mode.</summary>
    public TimeSpan CertificateRefresh { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Answers and notifications older (or further in the future) than this are refused.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>True in public-key mode (公钥模式): answers are verified with <see cref="PublicKey"/> under <see cref="PublicKeyId"/>.</summary>
    public bool UsesPublicKey => !string.IsNullOrWhiteSpace(PublicKeyId);

    public string ResolveGateway() => (string.IsNullOrWhiteSpace(Gateway) ? ProductionGateway : Gateway.Trim()).TrimEnd('/');

    public string ResolveNotifyUrl(PortalOptions portal) => string.IsNullOrWhiteSpace(NotifyUrl) ? portal.Link("payments/wechatpay/notify") : NotifyUrl.Trim();

    public string? ResolveMerchantPrivateKey() => Secret("WechatPay:MerchantPrivateKey", MerchantPrivateKey, MerchantPrivateKeyFile);

    public string? ResolvePublicKey() => Secret("WechatPay:PublicKey", PublicKey, PublicKeyFile);

    /// <summary>The shared value-or-file reader (<see cref="SecretSource"/>); relative paths from the working directory; unset → null.</summary>
    private static string? Secret(string key, string? value, string? file) =>
        SecretSource.Resolve(key, value, file, Directory.GetCurrentDirectory()) is { Length: > 0 } secret ? secret : null;

    /// <summary>Keys a real merchant account cannot work without (the simulator supplies its own).</summary>
    public IEnumerable<string> MissingKeys()
    {
        if (Mode == WechatPayMode.Simulator) yield break;
        if (string.IsNullOrWhiteSpace(MchId)) yield return "WechatPay:MchId";
        if (string.IsNullOrWhiteSpace(AppId)) yield return "WechatPay:AppId";
        if (string.IsNullOrWhiteSpace(MerchantSerialNo)) yield return "WechatPay:MerchantSerialNo";
        if (string.IsNullOrWhiteSpace(MerchantPrivateKey) && string.IsNullOrWhiteSpace(MerchantPrivateKeyFile)) yield return "WechatPay:MerchantPrivateKey";
        if (string.IsNullOrWhiteSpace(ApiV3Key)) yield return "WechatPay:ApiV3Key";
        if (UsesPublicKey && string.IsNullOrWhiteSpace(PublicKey) && string.IsNullOrWhiteSpace(PublicKeyFile)) yield return "WechatPay:PublicKey";
    }
}

/// <summary>Start-up check: every key the mode needs is present and loads; the gateway is https.</summary>
internal sealed class WechatPayOptionsValidator : IValidateOptions<WechatPayOptions>
{
    public ValidateOptionsResult Validate(string? name, WechatPayOptions options)
    {
        var failures = options.MissingKeys().Select(key => $"{key} must be set when WechatPay:Mode is {options.Mode}.").ToList();
        if (failures.Count > 0) return ValidateOptionsResult.Fail(failures);
        if (options.Mode == WechatPayMode.Simulator && string.IsNullOrWhiteSpace(options.MerchantPrivateKey)) return ValidateOptionsResult.Success;

        Try("WechatPay:MerchantPrivateKey", () => RsaKeys.LoadPrivateKey(options.ResolveMerchantPrivateKey()!).Dispose(), failures);
        if (options.UsesPublicKey)
        {
            Try("WechatPay:PublicKey", () => RsaKeys.LoadPublicKey(options.ResolvePublicKey()!).Dispose(), failures);
            if (!options.PublicKeyId!.StartsWith("PUB_KEY_ID_", StringComparison.Ordinal)) failures.Add("WechatPay:PublicKeyId must start with PUB_KEY_ID_.");
        }

        if (System.Text.Encoding.UTF8.GetByteCount(options.ApiV3Key) != 32) failures.Add("WechatPay:ApiV3Key must be 32 characters.");
        if (!Uri.TryCreate(options.ResolveGateway(), UriKind.Absolute, out var gateway) || (gateway.Scheme != Uri.UriSchemeHttps && options.Mode != WechatPayMode.Simulator))
            failures.Add("WechatPay:Gateway must be an absolute https URL.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Try(string key, Action load, List<string> failures)
    {
        try
        {
            load();
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException or IOException or InvalidOperationException)
        {
            failures.Add($"{key} is not usable: {ex.Message}");
        }
    }
}
