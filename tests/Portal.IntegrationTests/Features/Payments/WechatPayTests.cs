using System.Net;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.Refunds;
using Portal.Core.Features.Payments.WechatPay;
using Portal.Core.Features.Payments.WechatPay.Simulator;
using Portal.Core.Features.Wallet;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Payments;

public abstract class WechatPayTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Fact]
    public async Task Native_top_up_paid_in_the_simulator_is_credited_once_under_the_transaction_id()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("微信充值科技有限公司");
        var order = await client.StartTopUpAsync("100.00", PaymentChannel.WechatNative);
        Assert.Equal((TopUpStatus.Pending, PaymentChannel.WechatNative), (order.Status, order.Channel));
        Assert.Contains("/_simulator/wechatpay/pay/", order.QrCode);
        Assert.Null(order.PayUrl);

        await client.PayWechatAsync(order.QrCode!);
        Assert.True(await factory.DeliverWechatNotificationsAsync() >= 1);

        Assert.Equal(TopUpStatus.Paid, (await client.TopUpAsync(order.Id)).Status);
        Assert.Equal("100.00", (await client.WalletAsync()).Balance);
        var trade = await factory.WechatTradeAsync(order.OrderNo);
        var entry = Assert.Single(await factory.LedgerAsync(tenantId));
        Assert.Equal("wechat:" + trade.TransactionId, entry.IdempotencyKey);
        Assert.Equal(order.OrderNo, entry.Reference);
        Assert.StartsWith("HTTP 204", trade.LastNotifyReply);

        // WeChat Pay delivers the same notification again: acknowledged (204, no body), not credited again.
        var again = await factory.PostWechatNotifyAsync(await factory.GenuineWechatNotificationAsync(order.OrderNo));
        Assert.Equal((HttpStatusCode.NoContent, ""), again);
        Assert.Single(await factory.LedgerAsync(tenantId));
        await factory.AssertLedgerInvariantAsync(tenantId);
        var outcomes = (await factory.WechatNotifyLogsAsync()).Where(l => l.OutTradeNo == order.OrderNo).Select(l => l.Outcome).Order().ToList();
        Assert.Equal([PaymentNotifyOutcome.Credited, PaymentNotifyOutcome.Duplicate], outcomes);
    }

    [Fact]
    public async Task Forged_notifications_credit_nothing_and_ask_for_a_retry()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("伪造通知科技有限公司");
        var order = await client.StartTopUpAsync("88.80", PaymentChannel.WechatNative);
        await client.PayWechatAsync(order.QrCode!); // paid at WeChat Pay, its notification not delivered
        var trade = await factory.WechatTradeAsync(order.OrderNo);
        var keys = factory.Services.GetRequiredService<WechatPaySimulatorKeyStore>().Get();
        var now = factory.Clock.GetUtcNow();
        var earlierLogs = (await factory.WechatNotifyLogsAsync()).Select(l => l.Id).ToHashSet();
        object Resource(string? mchid = null, string? appid = null, long? total = null, string? outTradeNo = null) => new
        {
            mchid = mchid ?? keys.MchId,
            appid = appid ?? keys.AppId,
            out_trade_no = outTradeNo ?? order.OrderNo,
            transaction_id = trade.TransactionId,
            trade_type = "NATIVE",
            trade_state = "SUCCESS",
            success_time = WechatPayClient.Time(now),
            amount = new { total = total ?? 8880, payer_total = total ?? 8880, currency = "CNY", payer_currency = "CNY" },
        };
        using var stranger = RSA.Create(2048);
        var strangerKey = stranger.ExportPkcs8PrivateKeyPem();
        static string Flip(string base64, int index)
        {
            var bytes = Convert.FromBase64String(base64);
            bytes[index < 0 ? bytes.Length + index : index] ^= 0x01;
            return Convert.ToBase64String(bytes);
        }

        var forged = new (string What, WechatNotification Notification, HttpStatusCode Expected)[]
        {
            ("signed with another key", WechatPayHelpers.CraftWechatNotification(Resource(), keys.ApiV3Key, strangerKey, keys.PublicKeyId, now), HttpStatusCode.Unauthorized),
            ("unknown serial", WechatPayHelpers.CraftWechatNotification(Resource(), keys.ApiV3Key, keys.PlatformPrivateKey, "PUB_KEY_ID_0100000000000000", now), HttpStatusCode.Unauthorized),
            ("stale timestamp", WechatPayHelpers.CraftWechatNotification(Resource(), keys.ApiV3Key, keys.PlatformPrivateKey, keys.PublicKeyId, now.AddMinutes(-6)), HttpStatusCode.Unauthorized),
            ("tampered ciphertext", WechatPayHelpers.CraftWechatNotification(Resource(), keys.ApiV3Key, keys.PlatformPrivateKey, keys.PublicKeyId, now, c => Flip(c, 3)), HttpStatusCode.BadRequest),
            ("tampered tag", WechatPayHelpers.CraftWechatNotification(Resource(), keys.ApiV3Key, keys.PlatformPrivateKey, keys.PublicKeyId, now, c => Flip(c, -1)), HttpStatusCode.BadRequest),
            ("wrong APIv3 key", WechatPayHelpers.CraftWechatNotification(Resource(), "ffffffffffffffffffffffffffffffff", keys.PlatformPrivateKey, keys.PublicKeyId, now), HttpStatusCode.BadRequest),
            ("other merchant", WechatPayHelpers.CraftWechatNotification(Resource(mchid: "1900000109"), keys.ApiV3Key, keys.PlatformPrivateKey, keys.PublicKeyId, now), HttpStatusCode.BadRequest),
            ("other appid", WechatPayHelpers.CraftWechatNotification(Resource(appid: "wx0000000000000000"), keys.ApiV3Key, keys.PlatformPrivateKey, keys.PublicKeyId, now), HttpStatusCode.BadRequest),
            ("wrong amount", WechatPayHelpers.CraftWechatNotification(Resource(total: 1), keys.ApiV3Key, keys.PlatformPrivateKey, keys.PublicKeyId, now), HttpStatusCode.BadRequest),
            ("unknown order", WechatPayHelpers.CraftWechatNotification(Resource(outTradeNo: "TU20990101000000NOSUCHORD"), keys.ApiV3Key, keys.PlatformPrivateKey, keys.PublicKeyId, now), HttpStatusCode.BadRequest),
        };

        foreach (var (what, notification, expected) in forged)
        {
            var (status, body) = await factory.PostWechatNotifyAsync(notification);
            Assert.True(status == expected, $"{what}: {status} {body}");
            Assert.Contains("\"code\":\"FAIL\"", body);
        }

        // A body changed after signing fails verification too.
        var genuine = await factory.GenuineWechatNotificationAsync(order.OrderNo);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.PostWechatNotifyAsync(genuine with { Body = genuine.Body.Replace("TRANSACTION.SUCCESS", "TRANSACTION.SUCCESS ", StringComparison.Ordinal) })).Status);

        Assert.Empty(await factory.LedgerAsync(tenantId));
        Assert.Equal(TopUpStatus.Pending, (await client.TopUpAsync(order.Id)).Status);
        var logs = (await factory.WechatNotifyLogsAsync()).Where(l => !earlierLogs.Contains(l.Id)).ToList();
        Assert.Equal(forged.Length + 1, logs.Count);
        Assert.All(logs, l => Assert.Equal(PaymentNotifyOutcome.Rejected, l.Outcome));
        Assert.All(logs, l => Assert.NotEmpty(l.RawBody));
    }

    [Fact]
    public async Task A_hundred_concurrent_deliveries_of_one_notification_credit_once()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("并发通知科技有限公司");
        var order = await client.StartTopUpAsync("1000", PaymentChannel.WechatNative);
        await client.PayWechatAsync(order.QrCode!);
        var notification = await factory.GenuineWechatNotificationAsync(order.OrderNo);

        var replies = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => factory.PostWechatNotifyAsync(notification))));

        Assert.All(replies, r => Assert.Equal(HttpStatusCode.NoContent, r.Status));
        var entry = Assert.Single(await factory.LedgerAsync(tenantId));
        Assert.Equal(Money.FromYuan(1000).MicroYuan, entry.AmountMicroYuan);
        Assert.Equal("1000.00", (await client.WalletAsync()).Balance);
        await factory.AssertLedgerInvariantAsync(tenantId);
        var logs = (await factory.WechatNotifyLogsAsync()).Where(l => l.OutTradeNo == order.OrderNo).ToList();
        Assert.Equal(1, logs.Count(l => l.Outcome == PaymentNotifyOutcome.Credited));
        Assert.Equal(99, logs.Count(l => l.Outcome == PaymentNotifyOutcome.Duplicate));
    }

    [Fact]
    public async Task The_query_job_credits_a_paid_order_whose_notification_never_came()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("查单补账科技有限公司");
        var order = await client.StartTopUpAsync("300", PaymentChannel.WechatNative);
        await client.PayWechatAsync(order.QrCode!);
        await factory.RunPendingTopUpsJobAsync(); // too young to be queried
        Assert.Equal(TopUpStatus.Pending, (await client.TopUpAsync(order.Id)).Status);

        factory.Clock.Advance(TimeSpan.FromMinutes(3));
        var late = await factory.GenuineWechatNotificationAsync(order.OrderNo);
        await Task.WhenAll(factory.RunPendingTopUpsJobAsync(), factory.RunPendingTopUpsJobAsync(), factory.PostWechatNotifyAsync(late));

        Assert.Equal(TopUpStatus.Paid, (await client.TopUpAsync(order.Id)).Status);
        var entry = Assert.Single(await factory.LedgerAsync(tenantId));
        Assert.Equal("wechat:" + (await factory.WechatTradeAsync(order.OrderNo)).TransactionId, entry.IdempotencyKey);
        Assert.Equal("300.00", (await client.WalletAsync()).Balance);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Unpaid_orders_are_closed_at_wechat_pay_on_expiry_and_on_cancel()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("关单科技有限公司");
        var expiring = await client.StartTopUpAsync("50", PaymentChannel.WechatNative);
        var cancelled = await client.StartTopUpAsync("20", PaymentChannel.WechatNative);

        Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync($"/api/tenant/top-ups/{cancelled.Id}/cancel", new { })).StatusCode);
        Assert.Equal(TopUpStatus.Cancelled, (await client.TopUpAsync(cancelled.Id)).Status);
        Assert.Equal("CLOSED", (await factory.WechatTradeAsync(cancelled.OrderNo)).TradeState);

        factory.Clock.Advance(TimeSpan.FromMinutes(10));
        await factory.RunPendingTopUpsJobAsync();
        Assert.Equal(TopUpStatus.Pending, (await client.TopUpAsync(expiring.Id)).Status);
        factory.Clock.Advance(TimeSpan.FromMinutes(25));
        await factory.RunPendingTopUpsJobAsync();
        await factory.RunPendingTopUpsJobAsync(); // safe to run twice
        Assert.Equal(TopUpStatus.Expired, (await client.TopUpAsync(expiring.Id)).Status);
        Assert.Equal("CLOSED", (await factory.WechatTradeAsync(expiring.OrderNo)).TradeState);

        // Neither code can be paid any more.
        foreach (var url in new[] { expiring.QrCode!, cancelled.QrCode! })
        {
            var token = url[(url.LastIndexOf('/') + 1)..];
            Assert.Equal(HttpStatusCode.Conflict, (await client.Http.PostAsync($"{WechatPaySimulator.BasePath}/pay/{token}/pay", new FormUrlEncodedContent([]))).StatusCode);
        }

        Assert.Empty(await factory.LedgerAsync(tenantId));
    }

    [Fact]
    public async Task H5_top_up_hands_the_browser_an_h5_url_and_credits_by_notification()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("H5充值科技有限公司");
        var order = await client.StartTopUpAsync("66.60", PaymentChannel.WechatH5);
        Assert.Null(order.QrCode);
        Assert.Contains("/_simulator/wechatpay/h5/", order.PayUrl);
        Assert.Equal("MWEB", (await factory.WechatTradeAsync(order.OrderNo)).TradeType);

        await client.PayWechatAsync(order.PayUrl!);
        await factory.DeliverWechatNotificationsAsync();
        Assert.Equal(TopUpStatus.Paid, (await client.TopUpAsync(order.Id)).Status);
        Assert.Equal("66.60", (await client.WalletAsync()).Balance);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Requests_with_a_bad_signature_are_refused_by_the_simulator_with_SIGN_ERROR()
    {
        using var http = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{WechatPaySimulator.BasePath}/v3/pay/transactions/out-trade-no/TU1?mchid=1");
        request.Headers.TryAddWithoutValidation("Authorization", "WECHATPAY2-SHA256-RSA2048 mchid=\"1\",nonce_str=\"n\",timestamp=\"1\",serial_no=\"s\",signature=\"c2ln\"");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("SIGN_ERROR", await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.Contains(WechatPaySignedMessage.SignatureHeader));
    }

    [Fact]
    public async Task The_trade_bill_puts_unknown_mismatched_and_missing_payments_in_the_reconciliation_queue()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("对账科技有限公司");
        var matching = await client.StartTopUpAsync("10", PaymentChannel.WechatNative);
        await client.PayWechatAsync(matching.QrCode!);
        var mismatched = await client.StartTopUpAsync("20", PaymentChannel.WechatNative);
        await client.PayWechatAsync(mismatched.QrCode!);
        await factory.DeliverWechatNotificationsAsync();
        var missing = await client.StartTopUpAsync("30", PaymentChannel.WechatNative);

        string unknownOrderNo;
        await using (var scope = factory.Scope())
        {
            // An order WeChat Pay has that the portal never made (placed straight through the client), paid by a buyer.
            unknownOrderNo = OrderNumbers.NewTopUp(factory.Clock);
            var wechat = scope.ServiceProvider.GetRequiredService<WechatPayClient>();
            var codeUrl = await wechat.NativeAsync(new WechatPayOrderRequest(unknownOrderNo, Money.FromYuan(40).MicroYuan, "外部订单", "http://localhost/payments/wechatpay/notify", factory.Clock.GetUtcNow().AddMinutes(30)));
            Assert.True(codeUrl.IsSuccess, codeUrl.Error?.Message);
            await client.PayWechatAsync(codeUrl.Value!);
            // Paid here but never at WeChat Pay (a fault: e.g. credited under a transaction WeChat Pay does not have).
            Assert.True((await scope.ServiceProvider.GetRequiredService<TopUpSettlement>().CreditAsync(missing.Id, "4200009999202612070000000001", Money.FromYuan(30).MicroYuan, null)).IsSuccess);
        }

        await using (var db = await factory.DbAsync())
        {
            // The injected fault: the portal's order says ¥20.01 where WeChat Pay charged ¥20.00.
            await db.TopUpOrders.IgnoreTenantFilter().Where(o => o.Id == mismatched.Id).ExecuteUpdateAsync(s => s.SetProperty(o => o.AmountMicroYuan, Money.FromFen(2001).MicroYuan));
        }

        var billDate = ChinaTime.Today(factory.Clock);
        factory.Clock.Advance(TimeSpan.FromDays(1));
        await using (var scope = factory.Scope())
        {
            var job = scope.ServiceProvider.GetRequiredService<WechatPayBillReconciliationJob>();
            var raised = await job.ReconcileAsync(billDate);
            Assert.True(raised.IsSuccess, raised.Error?.Message);
            Assert.Equal(0, (await job.ReconcileAsync(billDate)).Value); // safe to run twice
        }

        await using (var db = await factory.DbAsync())
        {
            var queue = await db.ReconciliationExceptions.Where(r => r.BillDate == billDate && r.Key.StartsWith("wechat:")).ToListAsync();
            var ours = queue.Where(r => r.OutTradeNo == unknownOrderNo || r.TenantId == tenantId).Select(r => (r.Issue, r.OutTradeNo)).OrderBy(x => x.OutTradeNo).ToList();
            Assert.Equal(
                new[] { (ReconciliationIssue.UnknownTrade, unknownOrderNo), (ReconciliationIssue.AmountMismatch, mismatched.OrderNo), (ReconciliationIssue.MissingInBill, missing.OrderNo) }.OrderBy(x => x.Item2),
                ours);
            Assert.DoesNotContain(queue, r => r.OutTradeNo == matching.OrderNo);
        }
    }

    [Fact]
    public async Task A_refund_goes_back_through_both_rails_once_even_when_the_wechat_answer_is_lost()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("双通道退款科技有限公司");
        var alipay = await client.StartTopUpAsync("200");
        await client.PayQrAsync(alipay);
        await factory.DeliverNotificationsAsync();
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        var wechat = await client.StartTopUpAsync("300", PaymentChannel.WechatNative);
        await client.PayWechatAsync(wechat.QrCode!);
        await factory.DeliverWechatNotificationsAsync();
        Assert.Equal("500.00", (await client.WalletAsync()).Balance);

        var refund = await client.RequestRefundAsync("400");
        // WeChat Pay refunds, but its answer never arrives.
        factory.WechatPayFaults.LoseNextRefundResponses();
        var approved = await factory.ApproveRefundAsync(refund.Id);
        Assert.True(approved.IsSuccess, approved.Error?.Message);
        var parts = approved.Value!.Allocations.OrderBy(a => a.Position).ToList();
        Assert.Equal([(RefundAllocationKind.Wechat, Money.FromYuan(300)), (RefundAllocationKind.Alipay, Money.FromYuan(100))], parts.Select(p => (p.Kind, p.Amount)));
        Assert.Equal(RefundAllocationStatus.Pending, parts[0].Status);
        Assert.StartsWith(WechatPayErrors.UnavailableCode, parts[0].LastError);
        Assert.Equal(RefundAllocationStatus.Succeeded, parts[1].Status);

        // The job waits for the backoff, then asks WeChat Pay about the same out_refund_no (already refunded) and
        // debits once; the REFUND.SUCCESS notification arriving afterwards changes nothing.
        Assert.Equal(0, await factory.RunRefundPayoutJobAsync());
        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await factory.RunRefundPayoutJobAsync());
        await factory.DeliverWechatNotificationsAsync();
        Assert.Equal(0, await factory.RunRefundPayoutJobAsync());

        var done = await factory.RefundForOperatorAsync(refund.Id);
        Assert.Equal(RefundStatus.Completed, done.Value!.Status);
        Assert.Equal("100.00", (await client.WalletAsync()).Balance);
        Assert.Equal(2, (await factory.LedgerAsync(tenantId)).Count(e => e.Kind == LedgerEntryKind.Refund));
        await using (var db = await factory.DbAsync())
        {
            var trade = await db.WechatSimulatorTrades.AsNoTracking().SingleAsync(t => t.OutTradeNo == wechat.OrderNo);
            Assert.Equal(30000, trade.RefundedFen);
            Assert.Equal(parts[0].OutRequestNo, Assert.Single(await db.WechatSimulatorRefunds.Where(r => r.TradeId == trade.Id).ToListAsync()).OutRefundNo);
            Assert.Equal(Money.FromYuan(300).MicroYuan, (await db.TopUpOrders.IgnoreTenantFilter().SingleAsync(o => o.Id == wechat.Id)).RefundedMicroYuan);
        }

        var refundNotices = (await factory.WechatNotifyLogsAsync()).Where(l => l.EventType == WechatPayNotification.RefundSuccess && l.OutTradeNo == wechat.OrderNo).ToList();
        var notice = Assert.Single(refundNotices);
        Assert.True(notice.Outcome == PaymentNotifyOutcome.Acknowledged, notice.Detail);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }
}

public sealed class WechatPayTestsOnPostgres(PostgresPortalFactory factory) : WechatPayTests<PostgresPortalFactory>(factory);

public sealed class WechatPayTestsOnSqlite(SqlitePortalFactory factory) : WechatPayTests<SqlitePortalFactory>(factory);
