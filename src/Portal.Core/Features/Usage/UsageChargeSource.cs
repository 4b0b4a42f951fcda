using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Wallet;

namespace Portal.Core.Features.Usage;

/// <summary>The usage ledger's part of the invariant: Σ <see cref="UsageRecord.WalletChargedMicroYuan"/> of a tenant.</summary>
public sealed class UsageChargeSource : IWalletChargeSource
{
    public async Task<long> ChargedMicroYuanAsync(PortalDbContext db, Guid tenantId, CancellationToken cancellationToken) =>
        await db.UsageRecords.IgnoreTenantFilter().Where(u => u.TenantId == tenantId).SumAsync(u => (long?)u.WalletChargedMicroYuan, cancellationToken) ?? 0;
}
