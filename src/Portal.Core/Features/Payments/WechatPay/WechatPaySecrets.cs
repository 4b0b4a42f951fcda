namespace Portal.Core.Features.Payments.WechatPay;

/// <summary>
/// A secret given either inline or as a path to a file holding it (<c>MerchantPrivateKey</c> / <c>MerchantPrivateKeyFile</c>,
/// the way WeChat Pay hands out <c>apiclient_key.pem</c>). Minimal on purpose: the shared reader for every secret is
/// being added in Common; this one folds into it.
/// </summary>
public static class WechatPaySecrets
{
    /// <summary>The inline value when set, else the file's content, else null. Reading a missing file throws with its path.</summary>
    public static string? Read(string? value, string? path)
    {
        if (!string.IsNullOrWhiteSpace(value)) return value;
        if (string.IsNullOrWhiteSpace(path)) return null;
        return File.Exists(path) ? File.ReadAllText(path) : throw new FileNotFoundException("The configured key file does not exist.", path);
    }
}
