using Hangfire;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Payments;

/// <summary>
/// Every minute: Pending orders older than two minutes are queried at their rail (Alipay or WeChat Pay). Paid ones are credited through the
/// same idempotent path as notifications; unpaid ones past their expiry are closed at the rail and marked Expired.
/// Safe to run twice: every step is conditional.
/// </summary>
public sealed class PendingTopUpsJob(IDbContextFactory<PortalDbContext> dbFactory, TopUpSettlement settlement, TimeProvider clock)
{
    public static readonly TimeSpan QueryAfter = TimeSpan.FromMinutes(2);

    [DisableConcurrentExecution(timeoutInSeconds: 120)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - QueryAfter;
        List<Guid> ids;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            ids = await db.TopUpOrders.IgnoreTenantFilter()
                .Where(o => o.Status == TopUpStatus.Pending && o.CreatedAt <= cutoff)
                .OrderBy(o => o.CreatedAt).Take(500).Select(o => o.Id).ToListAsync(cancellationToken);
        }

        foreach (var id in ids) await settlement.RefreshAsync(id, cancellationToken);
    }
}
