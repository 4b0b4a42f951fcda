using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments.WechatPay;

/// <summary>What WeChat Pay signs on an answer or a notification: the four Wechatpay-* headers and the raw body.</summary>
public sealed record WechatPaySignedMessage(string? Timestamp, string? Nonce, string? Signature, string? Serial, string Body)
{
    public const string TimestampHeader = "Wechatpay-Timestamp";
    public const string NonceHeader = "Wechatpay-Nonce";
    public const string SignatureHeader = "Wechatpay-Signature";
    public const string SerialHeader = "Wechatpay-Serial";

    public static WechatPaySignedMessage From(Func<string, string?> header, string body) =>
        new(header(TimestampHeader), header(NonceHeader), header(SignatureHeader), header(SerialHeader), body);
}

/// <summary>
/// Verifies answers and notifications before anything in them is believed: all four headers present, the timestamp
/// within five minutes of now, the serial known (the WeChat Pay public key id in 公钥模式, else a current platform
/// certificate, fetched again once when an unknown serial shows up), and the SHA256-RSA signature over
/// <c>timestamp\nnonce\nbody\n</c>.
/// </summary>
public sealed class WechatPayVerifier(IOptions<WechatPayOptions> options, WechatPayPlatformCertificates certificates, TimeProvider clock)
{
    private RSA? _publicKey;
    private readonly Lock _gate = new();

    public async Task<Result<Unit>> VerifyAsync(WechatPaySignedMessage message, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(message.Timestamp) || string.IsNullOrEmpty(message.Nonce) || string.IsNullOrEmpty(message.Signature) || string.IsNullOrEmpty(message.Serial))
            return WechatPayErrors.InvalidSignature("Wechatpay-Timestamp, -Nonce, -Signature and -Serial are all required.");
        if (!long.TryParse(message.Timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 32503680000)
            return WechatPayErrors.InvalidSignature("Wechatpay-Timestamp is not a Unix time.");
        var age = clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (age.Duration() > WechatPayOptions.MaxClockSkew)
            return WechatPayErrors.InvalidSignature($"Wechatpay-Timestamp is {(int)age.TotalSeconds} s off the clock (more than 5 minutes).");

        var key = await KeyForAsync(message.Serial, cancellationToken);
        if (key is null) return WechatPayErrors.InvalidSignature($"Unknown Wechatpay-Serial '{Clip(message.Serial)}'.");
        return WechatPaySignature.Verify(WechatPaySignature.ResponseMessage(message.Timestamp, message.Nonce, message.Body), message.Signature, key)
            ? Unit.Value
            : WechatPayErrors.InvalidSignature("Wechatpay-Signature does not verify.");
    }

    private async Task<RSA?> KeyForAsync(string serial, CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (o.UsesPublicKey)
        {
            if (!string.Equals(serial, o.PublicKeyId, StringComparison.Ordinal)) return null;
            lock (_gate)
            {
                return _publicKey ??= RsaKeys.LoadPublicKey(o.ResolvePublicKey()!);
            }
        }

        return await certificates.FindAsync(serial, cancellationToken);
    }

    private static string Clip(string text) => text.Length > 64 ? text[..64] : text;
}
