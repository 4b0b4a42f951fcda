using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Payments.BankTransfer;

/// <summary>Pending transfers past their validity become Expired; their codes are matched no more.</summary>
public sealed class ExpireBankTransfersJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        // NOTE: conditional on Pending, so a transfer confirmed meanwhile stays Confirmed.
        return await db.BankTransferOrders.IgnoreTenantFilter()
            .Where(o => o.Status == BankTransferStatus.Pending && o.ExpiresAt <= now)
            .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, BankTransferStatus.Expired).SetProperty(o => o.ClosedAt, now), cancellationToken);
    }
}
