using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Invoices;

namespace Portal.Core.Features.Plans;

/// <summary>Expired plan credit for monthly statements: Σ of Expired events whose credit ran out in [from, to).</summary>
public sealed class PlanExpiredCreditSource : IExpiredPlanCreditSource
{
    public async Task<long> ExpiredMicroYuanAsync(PortalDbContext db, Guid tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        await db.PlanCreditEvents.IgnoreTenantFilter()
            .Where(e => e.TenantId == tenantId && e.Kind == PlanCreditEventKind.Expired && e.ExpiresAt >= from && e.ExpiresAt < to)
            .SumAsync(e => (long?)e.AmountMicroYuan, cancellationToken) ?? 0;
}
