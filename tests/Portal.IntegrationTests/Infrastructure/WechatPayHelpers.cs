using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.WechatPay;
using Portal.Core.Features.Payments.WechatPay.Simulator;

namespace Portal.IntegrationTests.Infrastructure;

/// <summary>A notification as posted: its body and the Wechatpay-* headers.</summary>
public sealed record WechatNotification(string Body, IReadOnlyDictionary<string, string> Headers);

/// <summary>WeChat Pay flows through the app's HTTP surface and its simulator.</summary>
public static class WechatPayHelpers
{
    /// <summary>The buyer opens the code_url / h5_url page in the simulator and confirms.</summary>
    public static async Task PayWechatAsync(this PortalClient client, string payUrl)
    {
        var page = await client.Http.GetAsync(payUrl);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("模拟支付", await page.Content.ReadAsStringAsync());
        var token = payUrl[(payUrl.LastIndexOf('/') + 1)..];
        var pay = await client.Http.PostAsync($"{WechatPaySimulator.BasePath}/pay/{token}/pay", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.OK, pay.StatusCode);
        Assert.Contains("sim-paid", await pay.Content.ReadAsStringAsync());
    }

    public static Task<int> DeliverWechatNotificationsAsync(this PortalFactory factory) =>
        factory.Services.GetRequiredService<WechatPaySimulatorNotifier>().DeliverDueAsync();

    public static async Task<WechatSimulatorTrade> WechatTradeAsync(this PortalFactory factory, string orderNo)
    {
        await using var db = await factory.DbAsync();
        return await db.WechatSimulatorTrades.AsNoTracking().SingleAsync(t => t.OutTradeNo == orderNo);
    }

    /// <summary>The genuine TRANSACTION.SUCCESS the simulator would send for a paid order.</summary>
    public static async Task<WechatNotification> GenuineWechatNotificationAsync(this PortalFactory factory, string orderNo)
    {
        var trade = await factory.WechatTradeAsync(orderNo);
        await using var scope = factory.Scope();
        var signed = scope.ServiceProvider.GetRequiredService<WechatPaySimulator>().BuildTransactionNotification(trade, usePublicKey: true);
        return new WechatNotification(signed.Body, signed.Headers);
    }

    public static async Task<(HttpStatusCode Status, string Body)> PostWechatNotifyAsync(this PortalFactory factory, WechatNotification notification)
    {
        using var http = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/payments/wechatpay/notify") { Content = new StringContent(notification.Body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in notification.Headers) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// A notification built by hand: <paramref name="resource"/> encrypted with <paramref name="apiV3Key"/>, the envelope
    /// signed with <paramref name="signer"/> (PEM or base64 private key) under <paramref name="serial"/> at <paramref name="at"/>.
    /// </summary>
    public static WechatNotification CraftWechatNotification(object resource, string apiV3Key, string signer, string serial, DateTimeOffset at, Func<string, string>? tamperCiphertext = null)
    {
        var encrypted = WechatPayAead.Encrypt(apiV3Key, JsonSerializer.Serialize(resource), "transaction", "transaction");
        var body = JsonSerializer.Serialize(new
        {
            id = Guid.NewGuid().ToString(),
            create_time = WechatPayClient.Time(at),
            resource_type = "encrypt-resource",
            event_type = "TRANSACTION.SUCCESS",
            summary = "支付成功",
            resource = new
            {
                original_type = "transaction",
                algorithm = encrypted.Algorithm,
                ciphertext = tamperCiphertext is null ? encrypted.Ciphertext : tamperCiphertext(encrypted.Ciphertext),
                associated_data = encrypted.AssociatedData,
                nonce = encrypted.Nonce,
            },
        });
        var timestamp = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var nonce = WechatPaySignature.NewNonce();
        using var key = RsaKeys.LoadPrivateKey(signer);
        return new WechatNotification(body, new Dictionary<string, string>
        {
            [WechatPaySignedMessage.TimestampHeader] = timestamp,
            [WechatPaySignedMessage.NonceHeader] = nonce,
            [WechatPaySignedMessage.SerialHeader] = serial,
            [WechatPaySignedMessage.SignatureHeader] = WechatPaySignature.Sign(WechatPaySignature.ResponseMessage(timestamp, nonce, body), key),
        });
    }

    public static async Task<List<WechatPayNotifyLog>> WechatNotifyLogsAsync(this PortalFactory factory)
    {
        await using var db = await factory.DbAsync();
        return await db.WechatPayNotifyLogs.AsNoTracking().ToListAsync();
    }

    public static async Task RunPendingTopUpsJobAsync(this PortalFactory factory)
    {
        await using var scope = factory.Scope();
        await scope.ServiceProvider.GetRequiredService<PendingTopUpsJob>().RunAsync(CancellationToken.None);
    }
}
