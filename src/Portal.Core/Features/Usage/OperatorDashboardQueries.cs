using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.BankTransfer;

namespace Portal.Core.Features.Usage;

public sealed record RevenueDay(DateOnly Day, Money AlipayPage, Money AlipayQr, Money BankTransfer)
{
    public Money Total => AlipayPage + AlipayQr + BankTransfer;
}

public sealed record TenantSpendRow(Guid TenantId, string TenantName, long Requests, Money Cost);

public sealed record ModelUsageRow(string Model, long Requests, long Tokens, Money Cost);

public sealed record ChannelHealthRow(Guid ChannelId, string ChannelName, long Requests, long Errors, double AverageLatencyMs, double? AverageTimeToFirstTokenMs)
{
    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;
}

public sealed record ReviewQueueCounts(int KycSubmitted, int BankTransfersPending, int StatementLinesInReview, int ReconciliationOpen);

public sealed record OperatorDashboard(DateOnly From, DateOnly To, IReadOnlyList<RevenueDay> Revenue, IReadOnlyList<TenantSpendRow> SpendByTenant,
    IReadOnlyList<ModelUsageRow> TopModels, IReadOnlyList<ChannelHealthRow> Channels, ReviewQueueCounts Queues);

/// <summary>
/// The operator dashboard (pages behind the Operator policy): revenue by method per day, spend by tenant and top
/// models from the daily roll-ups, channel error rates and latency from the channel roll-up (last 24 hours), and the
/// size of every review queue. Never scans usage records.
/// </summary>
public sealed class OperatorDashboardQueries(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public async Task<OperatorDashboard> GetAsync(int days = 30, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var today = ChinaTime.Today(clock);
        var from = today.AddDays(-(Math.Clamp(days, 1, 366) - 1));
        var fromKey = UsageBuckets.DayKey(from);
        var start = UsageBuckets.StartOf(from);

        var topUps = await db.TopUpOrders.IgnoreTenantFilter().AsNoTracking()
            .Where(o => o.Status == TopUpStatus.Paid && o.PaidAt >= start)
            .Select(o => new { o.PaidAt, o.Channel, o.AmountMicroYuan }).ToListAsync(cancellationToken);
        var transfers = await db.BankTransferOrders.IgnoreTenantFilter().AsNoTracking()
            .Where(o => o.Status == BankTransferStatus.Confirmed && o.ClosedAt >= start)
            .Select(o => new { o.ClosedAt, Amount = o.ReceivedAmountMicroYuan ?? o.AmountMicroYuan }).ToListAsync(cancellationToken);
        var revenue = Enumerable.Range(0, today.DayNumber - from.DayNumber + 1).Select(from.AddDays).Select(day => new RevenueDay(day,
                new Money(topUps.Where(o => o.Channel == PaymentChannel.AlipayPage && Day(o.PaidAt!.Value) == day).Sum(o => o.AmountMicroYuan)),
                new Money(topUps.Where(o => o.Channel == PaymentChannel.AlipayQr && Day(o.PaidAt!.Value) == day).Sum(o => o.AmountMicroYuan)),
                new Money(transfers.Where(o => Day(o.ClosedAt!.Value) == day).Sum(o => o.Amount))))
            .ToList();

        var daily = db.Set<UsageDaily>().IgnoreTenantFilter().AsNoTracking().Where(r => r.Day >= fromKey);
        var byTenant = await daily.GroupBy(r => r.TenantId)
            .Select(g => new { TenantId = g.Key, Requests = g.Sum(r => r.Requests), Cost = g.Sum(r => r.CostMicroYuan) })
            .OrderByDescending(x => x.Cost).Take(20).ToListAsync(cancellationToken);
        var ids = byTenant.Select(t => t.TenantId).ToList();
        var names = await db.Tenants.AsNoTracking().Where(t => ids.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, cancellationToken);
        var models = await daily.GroupBy(r => r.Model)
            .Select(g => new ModelUsageRow(g.Key, g.Sum(r => r.Requests), g.Sum(r => r.InputTokens + r.OutputTokens), new Money(g.Sum(r => r.CostMicroYuan))))
            .ToListAsync(cancellationToken);

        var sinceHour = UsageBuckets.HourOf(clock.GetUtcNow().AddHours(-23));
        var channelRows = await db.Set<ChannelUsageHourly>().AsNoTracking().Where(r => r.Hour >= sinceHour)
            .GroupBy(r => r.ChannelId)
            .Select(g => new
            {
                ChannelId = g.Key,
                Requests = g.Sum(r => r.Requests),
                Errors = g.Sum(r => r.Errors),
                Latency = g.Sum(r => r.LatencyMsSum),
                Ttft = g.Sum(r => r.TimeToFirstTokenMsSum),
                TtftCount = g.Sum(r => r.TimeToFirstTokenCount)
            })
            .ToListAsync(cancellationToken);
        var channelNames = await db.Channels.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.Name, cancellationToken);
        var channels = channelRows.Select(c => new ChannelHealthRow(c.ChannelId, channelNames.GetValueOrDefault(c.ChannelId, ""), c.Requests, c.Errors,
                c.Requests == 0 ? 0 : (double)c.Latency / c.Requests, c.TtftCount == 0 ? null : (double)c.Ttft / c.TtftCount))
            .OrderByDescending(c => c.Requests).ToList();

        var queues = new ReviewQueueCounts(
            await db.KycSubmissions.IgnoreTenantFilter().CountAsync(k => k.Status == KycStatus.Submitted, cancellationToken),
            await db.BankTransferOrders.IgnoreTenantFilter().CountAsync(o => o.Status == BankTransferStatus.Pending, cancellationToken),
            await db.BankStatementLines.CountAsync(l => l.Status == BankStatementLineStatus.Review, cancellationToken),
            await db.ReconciliationExceptions.CountAsync(e => e.ResolvedAt == null, cancellationToken));

        return new OperatorDashboard(from, today, revenue,
            byTenant.Select(t => new TenantSpendRow(t.TenantId, names.GetValueOrDefault(t.TenantId, ""), t.Requests, new Money(t.Cost))).ToList(),
            models.OrderByDescending(m => m.Cost).ThenByDescending(m => m.Requests).Take(10).ToList(),
            channels, queues);
    }

    private static DateOnly Day(DateTimeOffset instant) => DateOnly.FromDateTime(ChinaTime.ToChina(instant).DateTime);
}
