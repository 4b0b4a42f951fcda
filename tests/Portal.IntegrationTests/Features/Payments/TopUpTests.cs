using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Payments.Alipay.Simulator;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Payments;

public abstract class TopUpTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Fact]
    public async Task Qr_top_up_paid_in_the_simulator_is_credited_once()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync();
        var order = await client.StartTopUpAsync("100.00");
        Assert.Equal(TopUpStatus.Pending, order.Status);
        Assert.Matches("^[A-Za-z0-9_]{1,64}$", order.OrderNo);
        Assert.Equal(PaymentChannel.AlipayQr, order.Channel);

        await client.PayQrAsync(order);
        Assert.True(await factory.DeliverNotificationsAsync() >= 1);

        Assert.Equal(TopUpStatus.Paid, (await client.TopUpAsync(order.Id)).Status);
        Assert.Equal("100.00", (await client.WalletAsync()).Balance);
        var entry = Assert.Single(await factory.LedgerAsync(tenantId));
        Assert.StartsWith("alipay:", entry.IdempotencyKey);
        Assert.Equal(order.OrderNo, entry.Reference);

        // Alipay delivers the same notification again: acknowledged, not credited again.
        Assert.Equal("success", await factory.PostNotifyAsync(await factory.SignedNotificationAsync(order.OrderNo)));
        Assert.Single(await factory.LedgerAsync(tenantId));
        await factory.AssertLedgerInvariantAsync(tenantId);

        await using var db = await factory.DbAsync();
        var outcomes = await db.AlipayNotifyLogs.Where(n => n.OutTradeNo == order.OrderNo).Select(n => n.Outcome).ToListAsync();
        Assert.Equal([PaymentNotifyOutcome.Credited, PaymentNotifyOutcome.Duplicate], outcomes.Order());
    }

    [Fact]
    public async Task Page_pay_through_the_cashier_returns_to_a_verifiable_return_url_and_credits()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync();
        var order = await client.StartTopUpAsync("500", PaymentChannel.AlipayPage);
        Assert.Null(order.QrCode);
        Assert.NotNull(order.PayUrl);

        var returnUrl = await client.PayInCashierAsync(order);
        Assert.Equal("/wallet/return", returnUrl.AbsolutePath);
        var parameters = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(returnUrl.Query)
            .Select(p => new KeyValuePair<string, string?>(p.Key, p.Value.ToString())).ToList();
        var options = factory.Services.GetRequiredService<IOptions<AlipayOptions>>().Value;
        Assert.Equal(order.OrderNo, AlipayReturn.VerifiedOrderNo(parameters, options));
        var tampered = parameters.Select(p => p.Key == "total_amount" ? new KeyValuePair<string, string?>(p.Key, "0.01") : p).ToList();
        Assert.Null(AlipayReturn.VerifiedOrderNo(tampered, options));

        // The return URL is UX only: the money arrives with the notification.
        Assert.Equal(TopUpStatus.Pending, (await client.TopUpAsync(order.Id)).Status);
        await factory.DeliverNotificationsAsync();
        Assert.Equal("500.00", (await client.WalletAsync()).Balance);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Invalid_notifications_credit_nothing_and_are_not_acknowledged()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync();
        var order = await client.StartTopUpAsync("88.80");
        // Scanned but not paid: the simulator's trade is WAIT_BUYER_PAY.
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync(order.QrCode)).StatusCode);
        var unpaid = await factory.SignedNotificationAsync(order.OrderNo);
        var alipayKey = factory.Services.GetRequiredService<SimulatorKeyStore>().Get().AlipayPrivateKey;
        List<KeyValuePair<string, string>> Resigned(Func<KeyValuePair<string, string>, KeyValuePair<string, string>> change, string key = "")
        {
            var fields = unpaid.Where(f => f.Key is not ("sign" or "sign_type")).Select(change).Select(f => new KeyValuePair<string, string?>(f.Key, f.Value));
            using var rsa = RsaKeys.LoadPrivateKey(key == "" ? alipayKey : key);
            return AlipayNotifyBuilder.BuildSignedFields(fields, rsa).ToList();
        }

        KeyValuePair<string, string> Set(KeyValuePair<string, string> f, string name, string value) => f.Key == name ? new(name, value) : f;
        var paid = Resigned(f => Set(f, "trade_status", "TRADE_SUCCESS"));
        using var otherKey = System.Security.Cryptography.RSA.Create(2048);
        var cases = new Dictionary<string, List<KeyValuePair<string, string>>>
        {
            ["bad signature"] = paid.Select(f => Set(f, "total_amount", "8880.00")).ToList(),
            ["signed by another key"] = Resigned(f => Set(f, "trade_status", "TRADE_SUCCESS"), otherKey.ExportPkcs8PrivateKeyPem()),
            ["wrong amount"] = Resigned(f => Set(Set(f, "trade_status", "TRADE_SUCCESS"), "total_amount", "0.01")),
            ["wrong app_id"] = Resigned(f => Set(Set(f, "trade_status", "TRADE_SUCCESS"), "app_id", "2021000000000001")),
            ["wrong seller_id"] = Resigned(f => Set(Set(f, "trade_status", "TRADE_SUCCESS"), "seller_id", "2088000000000001")),
            ["unknown order"] = Resigned(f => Set(Set(f, "trade_status", "TRADE_SUCCESS"), "out_trade_no", "TU_NOT_AN_ORDER")),
            ["WAIT_BUYER_PAY"] = unpaid,
        };

        foreach (var (name, fields) in cases)
        {
            var reply = await factory.PostNotifyAsync(fields);
            Assert.True(reply != "success", $"{name}: the notify was acknowledged");
        }

        Assert.Empty(await factory.LedgerAsync(tenantId));
        Assert.Equal(TopUpStatus.Pending, (await client.TopUpAsync(order.Id)).Status);
        Assert.Equal("0.00", (await client.WalletAsync()).Balance);

        // Operators see every one of them, with why it was refused.
        await using var scope = factory.Scope();
        var (log, _) = await scope.ServiceProvider.GetRequiredService<PaymentsAdminQueries>().SearchNotificationsAsync(null, PaymentNotifyOutcome.Rejected, 0, 200);
        Assert.True(log.Count(n => n.RawBody.Contains(order.OrderNo) || n.OutTradeNo == "TU_NOT_AN_ORDER") >= 6);
        Assert.Contains(log, n => n.Detail.Contains("signature"));
        Assert.Contains(log, n => n.Detail.Contains("total_amount"));
        Assert.Contains(log, n => n.Detail.Contains("app_id"));
        Assert.Contains(log, n => n.Detail.Contains("unknown out_trade_no"));

        // The genuine notification still works afterwards.
        Assert.Equal("success", await factory.PostNotifyAsync(paid));
        Assert.Equal("88.80", (await client.WalletAsync()).Balance);
    }

    [Fact]
    public async Task Twenty_concurrent_deliveries_of_the_same_notify_credit_once()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync();
        var order = await client.StartTopUpAsync("1000");
        await client.PayQrAsync(order);
        var notification = await factory.SignedNotificationAsync(order.OrderNo);

        var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => factory.PostNotifyAsync(notification))));

        Assert.All(replies, r => Assert.Equal("success", r));
        var entry = Assert.Single(await factory.LedgerAsync(tenantId));
        Assert.Equal(Money.FromYuan(1000).MicroYuan, entry.AmountMicroYuan);
        Assert.Equal("1000.00", (await client.WalletAsync()).Balance);
        await factory.AssertLedgerInvariantAsync(tenantId);
        await using var db = await factory.DbAsync();
        Assert.Equal(1, await db.AlipayNotifyLogs.CountAsync(n => n.OutTradeNo == order.OrderNo && n.Outcome == PaymentNotifyOutcome.Credited));
        Assert.Equal(19, await db.AlipayNotifyLogs.CountAsync(n => n.OutTradeNo == order.OrderNo && n.Outcome == PaymentNotifyOutcome.Duplicate));
    }

    [Fact]
    public async Task A_lost_notify_is_credited_by_the_query_job_even_racing_the_late_notify()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync();
        var order = await client.StartTopUpAsync("300");
        await client.PayQrAsync(order);
        // The notification never arrives; two minutes later the job asks Alipay.
        await factory.RunPendingTopUpsJobAsync();
        Assert.Equal(TopUpStatus.Pending, (await client.TopUpAsync(order.Id)).Status);
        factory.Clock.Advance(TimeSpan.FromMinutes(3));

        var late = await factory.SignedNotificationAsync(order.OrderNo);
        await Task.WhenAll(factory.RunPendingTopUpsJobAsync(), factory.RunPendingTopUpsJobAsync(), factory.PostNotifyAsync(late), factory.PostNotifyAsync(late));

        Assert.Equal(TopUpStatus.Paid, (await client.TopUpAsync(order.Id)).Status);
        Assert.Single(await factory.LedgerAsync(tenantId));
        Assert.Equal("300.00", (await client.WalletAsync()).Balance);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task An_unpaid_order_past_expiry_is_closed_at_alipay_and_expired()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync();
        var order = await client.StartTopUpAsync("50");
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync(order.QrCode)).StatusCode); // scanned, never paid

        factory.Clock.Advance(TimeSpan.FromMinutes(10));
        await factory.RunPendingTopUpsJobAsync();
        Assert.Equal(TopUpStatus.Pending, (await client.TopUpAsync(order.Id)).Status);

        factory.Clock.Advance(TimeSpan.FromMinutes(25));
        await factory.RunPendingTopUpsJobAsync();
        await factory.RunPendingTopUpsJobAsync(); // safe to run twice
        Assert.Equal(TopUpStatus.Expired, (await client.TopUpAsync(order.Id)).Status);
        Assert.Equal(AlipayTradeStatus.TradeClosed, (await factory.QueryAtAlipayAsync(order.OrderNo))?.Status);

        // The code can no longer be paid.
        var pay = await client.Http.PostAsync(order.QrCode + "/pay", new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.Conflict, pay.StatusCode);
        Assert.Empty(await factory.LedgerAsync(tenantId));
    }

    [Fact]
    public async Task Cancelling_a_top_up_closes_it_at_alipay()
    {
        var (client, _) = await factory.VerifiedTenantAsync();
        var order = await client.StartTopUpAsync("20");
        var cancelled = await client.PostJsonAsync($"/api/tenant/top-ups/{order.Id}/cancel", new { });
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        Assert.Equal(TopUpStatus.Cancelled, (await client.TopUpAsync(order.Id)).Status);
        Assert.Contains("交易已关闭", await client.Http.GetStringAsync(order.QrCode));
    }

    [Fact]
    public async Task Top_up_is_refused_until_real_name_verification_is_approved()
    {
        var client = await PortalClient.SignUpAsync(factory, "未认证科技有限公司");
        var response = await client.PostJsonAsync("/api/tenant/top-ups", new { amount = "100.00", channel = "AlipayQr" });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Kyc.NotVerified", await response.Content.ReadAsStringAsync());
        Assert.Empty(await client.GetJsonAsync<List<TopUp>>("/api/tenant/top-ups"));
    }

    [Theory]
    [InlineData("0.50")]
    [InlineData("100000.01")]
    [InlineData("10.001")]
    public async Task Amounts_outside_the_limits_are_refused(string amount)
    {
        var (client, _) = await factory.VerifiedTenantAsync();
        var response = await client.PostJsonAsync("/api/tenant/top-ups", new { amount, channel = "AlipayQr" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Another_tenants_order_is_not_found()
    {
        var (owner, _) = await factory.VerifiedTenantAsync();
        var order = await owner.StartTopUpAsync("10", PaymentChannel.AlipayPage);
        var (stranger, _) = await factory.VerifiedTenantAsync("别人的公司");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.GetAsync($"/api/tenant/top-ups/{order.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.GetAsync(order.PayUrl)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostJsonAsync($"/api/tenant/top-ups/{order.Id}/cancel", new { })).StatusCode);
    }
}

public sealed class TopUpTestsOnPostgres(PostgresPortalFactory factory) : TopUpTests<PostgresPortalFactory>(factory);

public sealed class TopUpTestsOnSqlite(SqlitePortalFactory factory) : TopUpTests<SqlitePortalFactory>(factory);
