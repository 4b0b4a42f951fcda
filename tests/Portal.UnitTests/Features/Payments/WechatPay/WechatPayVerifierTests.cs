using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Features.Payments.WechatPay;

namespace Portal.UnitTests.Features.Payments.WechatPay;

public sealed class WechatPayVerifierTests : IDisposable
{
    private const string ApiV3Key = "0123456789abcdefghijklmnopqrstuv";
    private const string PublicKeyId = "PUB_KEY_ID_0119000091912026";

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero));
    private readonly RSA _platform = RSA.Create(2048);
    private readonly RSA _merchant = RSA.Create(2048);
    private readonly RSA _stranger = RSA.Create(2048);

    [Fact]
    public async Task Public_key_mode_accepts_a_fresh_signature_under_the_key_id()
    {
        var verifier = PublicKeyVerifier();
        Assert.True((await verifier.VerifyAsync(Signed("{\"a\":1}", PublicKeyId))).IsSuccess);
    }

    [Theory]
    [InlineData(-299, true)]
    [InlineData(-301, false)]
    [InlineData(299, true)]
    [InlineData(301, false)]
    public async Task Answers_more_than_five_minutes_off_the_clock_are_refused(int offsetSeconds, bool accepted)
    {
        var verifier = PublicKeyVerifier();
        var message = Signed("{}", PublicKeyId, _clock.GetUtcNow().AddSeconds(offsetSeconds));
        Assert.Equal(accepted, (await verifier.VerifyAsync(message)).IsSuccess);
    }

    [Fact]
    public async Task Unknown_serial_wrong_key_tampered_body_and_missing_headers_are_refused()
    {
        var verifier = PublicKeyVerifier();
        var good = Signed("{\"amount\":{\"total\":100}}", PublicKeyId);
        Assert.Equal(WechatPayErrors.InvalidSignatureCode, (await verifier.VerifyAsync(good with { Serial = "PUB_KEY_ID_0119000091919999" })).Error?.Code);
        Assert.Equal(WechatPayErrors.InvalidSignatureCode, (await verifier.VerifyAsync(Signed("{}", PublicKeyId, key: _stranger))).Error?.Code);
        Assert.Equal(WechatPayErrors.InvalidSignatureCode, (await verifier.VerifyAsync(good with { Body = "{\"amount\":{\"total\":1}}" })).Error?.Code);
        Assert.Equal(WechatPayErrors.InvalidSignatureCode, (await verifier.VerifyAsync(good with { Nonce = null })).Error?.Code);
        Assert.Equal(WechatPayErrors.InvalidSignatureCode, (await verifier.VerifyAsync(good with { Timestamp = "yesterday" })).Error?.Code);
    }

    [Fact]
    public async Task Platform_certificate_mode_fetches_decrypts_and_chooses_by_serial()
    {
        using var certificate = PlatformCertificate(_platform);
        var gateway = new CertificateGateway(this, certificate, _platform);
        var verifier = CertificateVerifier(gateway);
        Assert.True((await verifier.VerifyAsync(Signed("{\"ok\":true}", certificate.SerialNumber))).IsSuccess);
        Assert.Equal(1, gateway.Calls);

        // A serial the list does not have is refused; it is looked up again at most once a minute.
        Assert.False((await verifier.VerifyAsync(Signed("{}", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"))).IsSuccess);
        Assert.False((await verifier.VerifyAsync(Signed("{}", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"))).IsSuccess);
        Assert.Equal(1, gateway.Calls);
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.False((await verifier.VerifyAsync(Signed("{}", "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"))).IsSuccess);
        Assert.Equal(2, gateway.Calls);
        // The platform key the certificate carries is what verifies, not any key that signs with its serial.
        Assert.False((await verifier.VerifyAsync(Signed("{}", certificate.SerialNumber, key: _stranger))).IsSuccess);
    }

    [Fact]
    public async Task A_certificate_list_not_signed_by_a_certificate_in_it_is_not_believed()
    {
        using var certificate = PlatformCertificate(_platform);
        var verifier = CertificateVerifier(new CertificateGateway(this, certificate, _stranger));
        Assert.False((await verifier.VerifyAsync(Signed("{}", certificate.SerialNumber))).IsSuccess);
    }

    public void Dispose()
    {
        _platform.Dispose();
        _merchant.Dispose();
        _stranger.Dispose();
    }

    private WechatPayOptions BaseOptions() => new()
    {
        Mode = WechatPayMode.Production,
        MchId = "1900009191",
        AppId = "wxd678efh567hg6787",
        MerchantSerialNo = "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",
        MerchantPrivateKey = _merchant.ExportPkcs8PrivateKeyPem(),
        ApiV3Key = ApiV3Key,
        Gateway = "https://api.mch.weixin.qq.com",
    };

    private WechatPayVerifier PublicKeyVerifier()
    {
        var options = BaseOptions();
        options.PublicKeyId = PublicKeyId;
        options.PublicKey = _platform.ExportSubjectPublicKeyInfoPem();
        var wrapped = Options.Create(options);
        return new WechatPayVerifier(wrapped, new WechatPayPlatformCertificates(new Factory(new CertificateGateway(this, null, _platform)), wrapped, _clock, NullLogger<WechatPayPlatformCertificates>.Instance), _clock);
    }

    private WechatPayVerifier CertificateVerifier(CertificateGateway gateway)
    {
        var wrapped = Options.Create(BaseOptions());
        return new WechatPayVerifier(wrapped, new WechatPayPlatformCertificates(new Factory(gateway), wrapped, _clock, NullLogger<WechatPayPlatformCertificates>.Instance), _clock);
    }

    private WechatPaySignedMessage Signed(string body, string serial, DateTimeOffset? at = null, RSA? key = null)
    {
        var timestamp = (at ?? _clock.GetUtcNow()).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = WechatPaySignature.NewNonce();
        return new WechatPaySignedMessage(timestamp, nonce, WechatPaySignature.Sign(WechatPaySignature.ResponseMessage(timestamp, nonce, body), key ?? _platform), serial, body);
    }

    private X509Certificate2 PlatformCertificate(RSA key)
    {
        var request = new CertificateRequest("CN=Tenpay.com Root CA test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(_clock.GetUtcNow().AddDays(-1), _clock.GetUtcNow().AddYears(1));
    }

    private sealed class Factory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }

    /// <summary>GET /v3/certificates as WeChat Pay answers it: the certificate encrypted with the APIv3 key, the answer signed.</summary>
    private sealed class CertificateGateway(WechatPayVerifierTests test, X509Certificate2? certificate, RSA signer) : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            Assert.Equal("/v3/certificates", request.RequestUri!.AbsolutePath);
            Assert.StartsWith(WechatPaySignature.Scheme + " mchid=\"1900009191\"", request.Headers.Authorization?.ToString() ?? request.Headers.GetValues("Authorization").First());
            var encrypted = WechatPayAead.Encrypt(ApiV3Key, certificate!.ExportCertificatePem(), "certificate");
            var body = JsonSerializer.Serialize(new
            {
                data = new[]
                {
                    new
                    {
                        serial_no = certificate.SerialNumber,
                        effective_time = "2026-11-30T10:00:00+08:00",
                        expire_time = "2027-12-01T10:00:00+08:00",
                        encrypt_certificate = new { algorithm = encrypted.Algorithm, nonce = encrypted.Nonce, associated_data = encrypted.AssociatedData, ciphertext = encrypted.Ciphertext },
                    },
                },
            });
            var signed = test.Signed(body, certificate.SerialNumber, key: signer);
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body) };
            response.Headers.Add(WechatPaySignedMessage.TimestampHeader, signed.Timestamp);
            response.Headers.Add(WechatPaySignedMessage.NonceHeader, signed.Nonce);
            response.Headers.Add(WechatPaySignedMessage.SignatureHeader, signed.Signature);
            response.Headers.Add(WechatPaySignedMessage.SerialHeader, signed.Serial);
            return Task.FromResult(response);
        }
    }
}
