using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Payments.Refunds;

/// <summary>
/// Retries the Alipay and WeChat Pay parts of approved refunds whose last call had no answer (timeout, rail busy, WeChat
/// Pay still PROCESSING), with the same out_request_no, when their backoff is over; and completes approved refunds whose parts are all paid. Safe to run
/// twice: the rails refund once per out_request_no / out_refund_no and the ledger debits once per part.
/// </summary>
public sealed class RefundPayoutJob(IDbContextFactory<PortalDbContext> dbFactory, RefundPayouts payouts, TimeProvider clock)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        List<Guid> due;
        List<Guid> finished;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var approved = db.RefundRequests.IgnoreTenantFilter().Where(r => r.Status == RefundStatus.Approved);
            due = await db.RefundAllocations.IgnoreTenantFilter()
                .Where(a => (a.Kind == RefundAllocationKind.Alipay || a.Kind == RefundAllocationKind.Wechat) && a.Status == RefundAllocationStatus.Pending && (a.NextAttemptAt == null || a.NextAttemptAt <= now)
                    && approved.Any(r => r.Id == a.RefundRequestId))
                .OrderBy(a => a.NextAttemptAt).Take(100).Select(a => a.Id).ToListAsync(cancellationToken);
            finished = await approved
                .Where(r => !db.RefundAllocations.IgnoreTenantFilter().Any(a => a.RefundRequestId == r.Id && a.Status != RefundAllocationStatus.Succeeded))
                .Select(r => r.Id).ToListAsync(cancellationToken);
        }

        var paid = 0;
        foreach (var id in due)
        {
            var result = await payouts.PayRailAsync(id, includeFailed: false, cancellationToken);
            if (result.IsSuccess) paid++;
        }

        foreach (var id in finished) await payouts.TryCompleteAsync(id, cancellationToken);
        return paid;
    }
}
