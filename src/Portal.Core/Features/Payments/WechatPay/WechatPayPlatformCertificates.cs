using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments.WechatPay;

/// <summary>
/// Platform-certificate mode: the certificates from <c>GET /v3/certificates</c>, decrypted with the APIv3 key, kept in
/// memory by serial and fetched again every <see cref="WechatPayOptions.CertificateRefresh"/> or when an unknown serial
/// appears (at most once a minute). The download's own signature is checked with the certificate it delivers under the
/// answer's serial, as the official SDKs do; expired and not-yet-valid certificates are dropped.
/// </summary>
public sealed class WechatPayPlatformCertificates(IHttpClientFactory httpClients, IOptions<WechatPayOptions> options, TimeProvider clock, ILogger<WechatPayPlatformCertificates> logger)
{
    private static readonly TimeSpan MinimumRefetch = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile IReadOnlyDictionary<string, RSA> _keys = new Dictionary<string, RSA>();
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;

    /// <summary>The public key of the certificate with this serial, or null when WeChat Pay does not list it.</summary>
    public async Task<RSA?> FindAsync(string serial, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        if (_keys.TryGetValue(serial, out var key) && now - _fetchedAt < options.Value.CertificateRefresh) return key;
        if (now - _fetchedAt < MinimumRefetch) return _keys.GetValueOrDefault(serial);
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            if (clock.GetUtcNow() - _fetchedAt >= MinimumRefetch)
            {
                var fetched = await FetchAsync(cancellationToken);
                if (fetched.IsSuccess) _keys = fetched.Value!;
                else logger.LogWarning("Fetching WeChat Pay platform certificates failed: {Error}", fetched.Error!.Message);
                _fetchedAt = clock.GetUtcNow();
            }
        }
        finally
        {
            _refresh.Release();
        }

        return _keys.GetValueOrDefault(serial);
    }

    private async Task<Result<IReadOnlyDictionary<string, RSA>>> FetchAsync(CancellationToken cancellationToken)
    {
        var answer = await WechatPayHttp.SendAsync(httpClients.CreateClient(WechatPayFeature.HttpClientName), options.Value, clock, HttpMethod.Get, WechatPayClient.CertificatesPath, null, cancellationToken);
        if (!answer.IsSuccess) return answer.Error!;
        var response = answer.Value!;
        if (response.Status != 200) return WechatPayErrors.InvalidResponse($"GET /v3/certificates answered HTTP {response.Status}.");

        var keys = new Dictionary<string, RSA>(StringComparer.Ordinal);
        var now = clock.GetUtcNow();
        try
        {
            using var document = JsonDocument.Parse(response.Message.Body);
            foreach (var item in document.RootElement.GetProperty("data").EnumerateArray())
            {
                var serial = item.GetProperty("serial_no").GetString()!;
                var encrypted = item.GetProperty("encrypt_certificate");
                var pem = WechatPayAead.Decrypt(options.Value.ApiV3Key, new WechatPayEncryptedResource(
                    encrypted.GetProperty("algorithm").GetString()!, encrypted.GetProperty("ciphertext").GetString()!,
                    encrypted.GetProperty("associated_data").GetString() ?? "", encrypted.GetProperty("nonce").GetString()!));
                if (!pem.IsSuccess) return pem.Error!;
                using var certificate = X509Certificate2.CreateFromPem(pem.Value);
                if (!string.Equals(certificate.SerialNumber, serial, StringComparison.OrdinalIgnoreCase) || certificate.NotBefore > now.UtcDateTime || certificate.NotAfter < now.UtcDateTime) continue;
                keys[serial] = certificate.GetRSAPublicKey() ?? throw new CryptographicException("not an RSA certificate");
            }
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or CryptographicException)
        {
            return WechatPayErrors.InvalidResponse("The certificate list is malformed: " + ex.Message);
        }

        // The list vouches for itself: its answer must be signed by one of the certificates it contains.
        var message = response.Message;
        if (message.Serial is null || !keys.TryGetValue(message.Serial, out var signer) || message.Timestamp is null || message.Nonce is null || message.Signature is null
            || (now - DateTimeOffset.FromUnixTimeSeconds(long.TryParse(message.Timestamp, out var ts) ? ts : 0)).Duration() > WechatPayOptions.MaxClockSkew
            || !WechatPaySignature.Verify(WechatPaySignature.ResponseMessage(message.Timestamp, message.Nonce, message.Body), message.Signature, signer))
            return WechatPayErrors.InvalidSignature("The certificate list is not signed by a certificate it contains.");
        return keys;
    }
}
