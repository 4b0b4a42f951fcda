using System.Net.Http.Headers;
using System.Text;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments.WechatPay;

/// <summary>An answer as received: HTTP status and what its signature covers. Not yet verified.</summary>
public sealed record WechatPayRawResponse(int Status, WechatPaySignedMessage Message);

/// <summary>One signed APIv3 call: Authorization over method, path with query, timestamp, nonce and body.</summary>
internal static class WechatPayHttp
{
    public static async Task<Result<WechatPayRawResponse>> SendAsync(
        HttpClient http, WechatPayOptions options, TimeProvider clock, HttpMethod method, string pathAndQuery, string? body, CancellationToken cancellationToken)
    {
        string authorization;
        using (var privateKey = RsaKeys.LoadPrivateKey(options.ResolveMerchantPrivateKey() ?? throw new InvalidOperationException("WechatPay:MerchantPrivateKey is not set.")))
        {
            authorization = WechatPaySignature.Authorize(method.Method, pathAndQuery, body ?? "", options.MchId, options.MerchantSerialNo, privateKey,
                clock.GetUtcNow().ToUnixTimeSeconds(), WechatPaySignature.NewNonce());
        }

        using var request = new HttpRequestMessage(method, options.ResolveGateway() + pathAndQuery);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Portal", "1.0"));
        if (options.UsesPublicKey) request.Headers.TryAddWithoutValidation(WechatPaySignedMessage.SerialHeader, options.PublicKeyId);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var text = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
            string? Header(string name) => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
            return new WechatPayRawResponse((int)response.StatusCode, WechatPaySignedMessage.From(Header, text));
        }
        catch (HttpRequestException ex)
        {
            return WechatPayErrors.Unavailable($"WeChat Pay could not be reached for {method} {PathOnly(pathAndQuery)}: {ex.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return WechatPayErrors.Unavailable($"WeChat Pay timed out on {method} {PathOnly(pathAndQuery)}.");
        }
    }

    private static string PathOnly(string pathAndQuery) => pathAndQuery.Split('?')[0];
}
