using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Data;

namespace Portal.Core.Features.Payments.WechatPay.Simulator;

/// <summary>
/// Posts the simulator's TRANSACTION.SUCCESS and REFUND.* notifications (JSON, resource encrypted with the APIv3 key,
/// signed with the platform key) to their notify_url and retries on a compressed copy of WeChat Pay's schedule until the
/// merchant answers 200 or 204. Runs in the shared <see cref="SimulatorNotifierLoop"/>.
/// </summary>
public sealed class WechatPaySimulatorNotifier(
    IServiceScopeFactory scopes,
    IHttpClientFactory httpClients,
    IOptions<WechatPaySimulatorOptions> options,
    IOptions<WechatPayOptions> wechat,
    TimeProvider clock,
    ILogger<WechatPaySimulatorNotifier> logger) : SimulatorNotifierLoop(logger)
{
    public const string HttpClientName = "wechatpay-simulator";

    protected override bool Enabled => wechat.Value.Mode == WechatPayMode.Simulator && options.Value.RunNotifier;

    /// <inheritdoc />
    public override async Task<int> DeliverDueAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var simulator = scope.ServiceProvider.GetRequiredService<WechatPaySimulator>();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var schedule = options.Value.NotifyRetrySchedule;
        var usePublicKey = wechat.Value.UsesPublicKey;
        var acknowledged = 0;

        var trades = await db.WechatSimulatorTrades.AsNoTracking().Where(t => t.NextNotifyAt != null && t.NextNotifyAt <= now)
            .OrderBy(t => t.NextNotifyAt).Take(100).ToListAsync(cancellationToken);
        foreach (var trade in trades)
        {
            var attempt = trade.NotifyAttempts;
            var next = NextAttempt(schedule, attempt, now);
            // NOTE: claimed by a conditional UPDATE on the attempt counter and due time: two loops never send one attempt twice.
            if (await db.WechatSimulatorTrades.Where(t => t.Id == trade.Id && t.NotifyAttempts == attempt && t.NextNotifyAt == trade.NextNotifyAt)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.NotifyAttempts, attempt + 1).SetProperty(t => t.NextNotifyAt, next), cancellationToken) == 0)
                continue;
            var (ok, reply) = await PostAsync(trade.NotifyUrl, simulator.BuildTransactionNotification(trade, usePublicKey), cancellationToken);
            var row = db.WechatSimulatorTrades.Where(t => t.Id == trade.Id);
            if (ok)
            {
                acknowledged++;
                await row.ExecuteUpdateAsync(s => s.SetProperty(t => t.LastNotifyReply, reply).SetProperty(t => t.NotifiedAt, clock.GetUtcNow()).SetProperty(t => t.NextNotifyAt, (DateTimeOffset?)null), cancellationToken);
            }
            else
            {
                await row.ExecuteUpdateAsync(s => s.SetProperty(t => t.LastNotifyReply, reply), cancellationToken);
                logger.LogInformation("Simulated WeChat notification {Attempt} for {OutTradeNo} got '{Reply}'; next {Next}", attempt + 1, trade.OutTradeNo, reply, next);
            }
        }

        var refunds = await db.WechatSimulatorRefunds.AsNoTracking().Where(r => r.NextNotifyAt != null && r.NextNotifyAt <= now && r.NotifyUrl != null)
            .Join(db.WechatSimulatorTrades.AsNoTracking(), r => r.TradeId, t => t.Id, (r, t) => new { Refund = r, Trade = t })
            .OrderBy(x => x.Refund.NextNotifyAt).Take(100).ToListAsync(cancellationToken);
        foreach (var (refund, trade) in refunds.Select(x => (x.Refund, x.Trade)))
        {
            var attempt = refund.NotifyAttempts;
            var next = NextAttempt(schedule, attempt, now);
            if (await db.WechatSimulatorRefunds.Where(r => r.Id == refund.Id && r.NotifyAttempts == attempt && r.NextNotifyAt == refund.NextNotifyAt)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.NotifyAttempts, attempt + 1).SetProperty(r => r.NextNotifyAt, next), cancellationToken) == 0)
                continue;
            var (ok, reply) = await PostAsync(refund.NotifyUrl!, simulator.BuildRefundNotification(refund, trade, usePublicKey), cancellationToken);
            if (ok) acknowledged++;
            await db.WechatSimulatorRefunds.Where(r => r.Id == refund.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.LastNotifyReply, reply).SetProperty(r => r.NextNotifyAt, r => ok ? null : r.NextNotifyAt), cancellationToken);
        }

        return acknowledged;
    }

    private async Task<(bool Ok, string Reply)> PostAsync(string url, WechatSimulatorResponse notification, CancellationToken cancellationToken)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(notification.Body, Encoding.UTF8, "application/json") };
            foreach (var (name, value) in notification.Headers) request.Headers.TryAddWithoutValidation(name, value);
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var reply = $"HTTP {(int)response.StatusCode} {text}";
            // APIv3: 200 or 204 acknowledges; anything else is delivered again.
            return ((int)response.StatusCode is 200 or 204, reply.Length > 200 ? reply[..200] : reply);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var reply = "unreachable: " + ex.Message;
            return (false, reply.Length > 200 ? reply[..200] : reply);
        }
    }
}
