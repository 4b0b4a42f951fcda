using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Features.Payments.Alipay.Simulator;

namespace Portal.Core.Features.Payments.WechatPay.Simulator;

/// <summary>
/// The WeChat Pay simulator's identity: mchid and appid, the merchant key pair (the portal signs with its private half),
/// the platform key pair (the simulator signs answers and notifications with it), and what follows from them: the
/// merchant certificate serial, the public key id, a platform certificate and the APIv3 key.
/// </summary>
public sealed record WechatPaySimulatorIdentity(
    string MchId, string AppId, string MerchantPrivateKey, string MerchantPublicKey, string MerchantSerialNo,
    string PlatformPrivateKey, string PlatformPublicKey, string PublicKeyId, string PlatformCertificatePem, string PlatformCertificateSerial, string ApiV3Key);

/// <summary>Generated once and kept in the database (key set row 2), so restarts and replicas share it.</summary>
public sealed class WechatPaySimulatorKeyStore(IServiceScopeFactory scopes, TimeProvider clock)
{
    public const int KeySetId = 2;

    private readonly Lock _gate = new();
    private WechatPaySimulatorIdentity? _identity;

    public WechatPaySimulatorIdentity Get()
    {
        if (_identity is { } cached) return cached;
        lock (_gate)
        {
            return _identity ??= Derive(SimulatorKeyStore.LoadOrCreate(scopes, clock, KeySetId, "wx" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), "19" + SimulatorKeyStore.Digits(8)));
        }
    }

    private static WechatPaySimulatorIdentity Derive(SimulatorKeySet keys)
    {
        var merchantSerial = Convert.ToHexString(SHA1.HashData(Convert.FromBase64String(keys.MerchantPublicKey)));
        var platformHash = SHA256.HashData(Encoding.UTF8.GetBytes("apiv3|" + keys.AlipayPrivateKey));
        var certificateSerial = Convert.ToHexString(SHA1.HashData(Convert.FromBase64String(keys.AlipayPublicKey)));
        using var platform = RsaKeys.LoadPrivateKey(keys.AlipayPrivateKey);
        var request = new CertificateRequest($"CN=Tenpay.com Root CA simulator, O=Portal WeChat Pay simulator, OU={keys.SellerId}", platform, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var notBefore = keys.CreatedAt.AddDays(-1);
        using var certificate = request.Create(request.SubjectName, X509SignatureGenerator.CreateForRSA(platform, RSASignaturePadding.Pkcs1), notBefore, notBefore.AddYears(5), Convert.FromHexString(certificateSerial));
        return new WechatPaySimulatorIdentity(
            keys.SellerId, keys.AppId, keys.MerchantPrivateKey, keys.MerchantPublicKey, merchantSerial,
            keys.AlipayPrivateKey, keys.AlipayPublicKey, "PUB_KEY_ID_01" + keys.SellerId + Convert.ToHexString(platformHash.AsSpan(0, 4)),
            certificate.ExportCertificatePem(), certificate.SerialNumber, Convert.ToHexStringLower(platformHash.AsSpan(8, 16)));
    }
}

/// <summary>
/// In Simulator mode the client is pointed at the built-in simulator with its generated keys, in public-key mode
/// (公钥模式), or in platform-certificate mode with <c>WechatPay:Simulator:PlatformCertificates=true</c>.
/// </summary>
internal sealed class SimulatorWechatPayConfiguration(WechatPaySimulatorKeyStore store, IOptions<WechatPaySimulatorOptions> simulator, IOptions<PortalOptions> portal) : IPostConfigureOptions<WechatPayOptions>
{
    public void PostConfigure(string? name, WechatPayOptions options)
    {
        if (options.Mode != WechatPayMode.Simulator) return;
        var keys = store.Get();
        options.MchId = keys.MchId;
        options.AppId = keys.AppId;
        options.MerchantSerialNo = keys.MerchantSerialNo;
        options.MerchantPrivateKey = keys.MerchantPrivateKey;
        options.MerchantPrivateKeyFile = null;
        options.ApiV3Key = keys.ApiV3Key;
        options.PublicKeyId = simulator.Value.PlatformCertificates ? null : keys.PublicKeyId;
        options.PublicKey = simulator.Value.PlatformCertificates ? null : keys.PlatformPublicKey;
        options.PublicKeyFile = null;
        if (string.IsNullOrWhiteSpace(options.Gateway)) options.Gateway = portal.Value.Link(WechatPaySimulator.BasePath);
    }
}
