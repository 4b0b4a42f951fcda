using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Payments.Alipay.Simulator;
using Portal.Core.Features.Payments.WechatPay.Simulator;
using Portal.Core.Features.Tenants;
using Portal.Core.Features.Wallet;
using Portal.IntegrationTests.Infrastructure;

/// <summary>
/// Notify handling on PostgreSQL: N distinct paid orders, every notification delivered D times at once, through the
/// real endpoint (in-memory HTTP), signature verification, order claim, ledger credit and log write.
///   dotnet run -c Release --project tests/Portal.Benchmarks -- [--wechat] [--orders 1000] [--deliveries 10] [--in-flight 32] [--tenants 10]
/// Alipay's <c>/payments/alipay/notify</c> by default; with <c>--wechat</c> WeChat Pay's <c>/payments/wechatpay/notify</c>
/// (Native orders created through the simulator, paid there, each TRANSACTION.SUCCESS encrypted and signed by it).
/// With <c>--usage</c> it runs <see cref="UsageBenchmark"/> instead, with <c>relay</c> <see cref="RelayBenchmark"/>, with
/// <c>metering</c> <see cref="MeteringBenchmark"/>, with <c>masking</c> <see cref="MaskingBenchmark"/>.
/// </summary>
internal static class NotifyBenchmark
{
    public static async Task<int> Main()
    {
        if (Environment.GetCommandLineArgs().Contains("relay")) return await RelayBenchmark.RunAsync();
        if (Environment.GetCommandLineArgs().Contains("metering")) return MeteringBenchmark.Run();
        if (Environment.GetCommandLineArgs().Contains("masking")) return MaskingBenchmark.Run();
        if (Environment.GetCommandLineArgs().Contains("--usage")) return await UsageBenchmark.RunAsync();
        var wechat = Environment.GetCommandLineArgs().Contains("--wechat");
        var orders = BenchmarkArgs.Int("--orders", 1000);
        var deliveries = BenchmarkArgs.Int("--deliveries", 10);
        var inFlight = BenchmarkArgs.Int("--in-flight", 32);
        var tenantCount = BenchmarkArgs.Int("--tenants", 10);

        var rail = wechat ? "WeChat Pay" : "Alipay";
        Console.WriteLine($"Starting PostgreSQL ({rail}: {orders} orders × {deliveries} deliveries, {inFlight} orders in flight, {tenantCount} tenants)...");
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("portal_bench");
        await using var app = new BenchmarkApp(connectionString);
        _ = app.Server;

        // Arrange through the app's own use cases: tenants, verification, top-up orders.
        var tenants = new List<(Guid TenantId, Guid UserId, string Email)>();
        for (var t = 0; t < tenantCount; t++)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var email = $"bench{t}-{Guid.NewGuid():N}"[..20] + "@bench.test";
            var registered = await scope.ServiceProvider.GetRequiredService<RegisterAccount.Handler>()
                .HandleAsync(new RegisterAccount.Command(email, "Bench-Pass-2026", "Bench", $"压测租户{t}", TenantKind.Company));
            if (!registered.IsSuccess) throw new InvalidOperationException(registered.Error!.Message);
            await KycApproval.ApproveAsync(app.Services, email, "bench-admin@bench.test", $"压测租户{t}");
            tenants.Add((registered.Value.TenantId!.Value, registered.Value.UserId, email));
        }

        var created = new List<(string OrderNo, long Amount)>();
        for (var i = 0; i < orders; i++)
        {
            var (tenantId, userId, email) = tenants[i % tenants.Count];
            await using var scope = app.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<CurrentUser>().Use(CurrentUser.For(userId, email, tenantId));
            var amount = Money.FromYuan(100 + (i % 50));
            // Page pay needs no gateway call; a Native order asks the WeChat Pay simulator (in memory) for its code_url.
            var started = await scope.ServiceProvider.GetRequiredService<CreateTopUp.Handler>()
                .HandleAsync(new CreateTopUp.Command(amount, wechat ? PaymentChannel.WechatNative : PaymentChannel.AlipayPage));
            if (!started.IsSuccess) throw new InvalidOperationException(started.Error!.Message);
            created.Add((started.Value!.OrderNo, amount.MicroYuan));
        }

        var notifications = wechat ? await WechatNotificationsAsync(app, created) : AlipayNotifications(app, created);
        var success = wechat ? (Func<HttpResponseMessage, string, bool>)((r, _) => r.StatusCode == System.Net.HttpStatusCode.NoContent) : (_, text) => text == "success";
        var path = wechat ? "/payments/wechatpay/notify" : "/payments/alipay/notify";

        var http = app.CreateClient();
        var latencies = new List<double>(orders * deliveries);
        var failures = 0;
        var gate = new SemaphoreSlim(inFlight);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(notifications.Select(async notification =>
        {
            await gate.WaitAsync();
            try
            {
                // Every copy of this notification at the same moment, as Alipay's retries racing each other would.
                var replies = await Task.WhenAll(Enumerable.Range(0, deliveries).Select(async _ =>
                {
                    var started = Stopwatch.GetTimestamp();
                    using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(notification.Body, System.Text.Encoding.UTF8, notification.ContentType) };
                    foreach (var (name, value) in notification.Headers) request.Headers.TryAddWithoutValidation(name, value);
                    using var response = await http.SendAsync(request);
                    var text = await response.Content.ReadAsStringAsync();
                    return (Ms: Stopwatch.GetElapsedTime(started).TotalMilliseconds, Ok: success(response, text));
                }));
                lock (latencies)
                {
                    latencies.AddRange(replies.Select(r => r.Ms));
                    failures += replies.Count(r => !r.Ok);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        clock.Stop();

        await using var db = await app.Services.CreateAsyncScope().ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var credits = await db.LedgerEntries.IgnoreTenantFilter().CountAsync(e => e.Kind == LedgerEntryKind.TopUp);
        var paid = await db.TopUpOrders.IgnoreTenantFilter().CountAsync(o => o.Status == TopUpStatus.Paid);
        var invariant = app.Services.CreateAsyncScope().ServiceProvider.GetRequiredService<LedgerInvariant>();
        var broken = 0;
        foreach (var walletId in await db.Wallets.IgnoreTenantFilter().Select(w => w.Id).ToListAsync())
        {
            if ((await invariant.CheckAsync(walletId))?.Holds != true) broken++;
        }

        latencies.Sort();
        double Percentile(double p) => latencies[Math.Clamp((int)Math.Ceiling(p * latencies.Count) - 1, 0, latencies.Count - 1)];
        var total = orders * deliveries;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"""
            rail               : {rail} ({path})
            notifies delivered : {total} ({orders} orders × {deliveries}), non-success replies: {failures}
            elapsed            : {clock.Elapsed.TotalSeconds:F2} s
            throughput         : {total / clock.Elapsed.TotalSeconds:F0} notifies/s
            latency p50 / p99  : {Percentile(0.50):F1} ms / {Percentile(0.99):F1} ms (max {latencies[^1]:F1} ms)
            credits            : {credits} ledger credits, {paid} orders Paid (expected {orders})
            ledger invariant   : {(broken == 0 ? "holds for every wallet" : $"BROKEN for {broken} wallets")}
            """));
        return credits == orders && paid == orders && broken == 0 && failures == 0 ? 0 : 1;
    }

    private sealed record Notification(string Body, string ContentType, IReadOnlyDictionary<string, string> Headers);

    /// <summary>What Alipay would post: one signed trade_status_sync per order, with the simulator's Alipay key.</summary>
    private static List<Notification> AlipayNotifications(BenchmarkApp app, List<(string OrderNo, long Amount)> created)
    {
        var keys = app.Services.GetRequiredService<SimulatorKeyStore>().Get();
        using var alipayKey = RsaKeys.LoadPrivateKey(keys.AlipayPrivateKey);
        return created.Select((o, i) =>
        {
            var fields = AlipayNotifyBuilder.BuildSignedFields(
            [
                new("notify_time", AlipayTime.Format(DateTimeOffset.UtcNow)), new("notify_type", "trade_status_sync"), new("notify_id", Guid.NewGuid().ToString("N")),
                new("app_id", keys.AppId), new("charset", "utf-8"), new("version", "1.0"), new("trade_no", $"20260101220014{i:D14}"),
                new("out_trade_no", o.OrderNo), new("seller_id", keys.SellerId), new("trade_status", "TRADE_SUCCESS"),
                new("total_amount", AlipayAmount.Format(o.Amount)), new("gmt_payment", AlipayTime.Format(DateTimeOffset.UtcNow)),
            ], alipayKey);
            var body = string.Join('&', fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value)));
            return new Notification(body, "application/x-www-form-urlencoded", new Dictionary<string, string>());
        }).ToList();
    }

    /// <summary>What WeChat Pay would post: each order paid in the simulator, its TRANSACTION.SUCCESS encrypted and signed by it.</summary>
    private static async Task<List<Notification>> WechatNotificationsAsync(BenchmarkApp app, List<(string OrderNo, long Amount)> created)
    {
        var notifications = new List<Notification>(created.Count);
        foreach (var (orderNo, _) in created)
        {
            await using var scope = app.Services.CreateAsyncScope();
            var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            await using (db)
            {
                var simulator = scope.ServiceProvider.GetRequiredService<WechatPaySimulator>();
                var token = await db.WechatSimulatorTrades.Where(t => t.OutTradeNo == orderNo).Select(t => t.PayToken).SingleAsync();
                var paid = await simulator.PayAsync(token);
                if (!paid.IsSuccess) throw new InvalidOperationException(paid.Error!.Message);
                var trade = await db.WechatSimulatorTrades.AsNoTracking().SingleAsync(t => t.OutTradeNo == orderNo);
                var signed = simulator.BuildTransactionNotification(trade, usePublicKey: true);
                notifications.Add(new Notification(signed.Body, "application/json", signed.Headers));
            }
        }

        return notifications;
    }
}
