using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Payments.Refunds;

/// <summary>
/// A refund's hold lives in <see cref="Wallet.Wallet.ReservedMicroYuan"/>, next to the relay's holds, so nothing can
/// spend it; every change is one conditional UPDATE of the wallet row, which also takes that row's lock.
/// </summary>
internal static class RefundHolds
{
    /// <summary>Cash that may be refunded: Balance − Reserved (all holds counted as cash), never credit line or plan credit.</summary>
    public static Money Refundable(long balanceMicroYuan, long reservedMicroYuan) => new(Math.Max(0, balanceMicroYuan - reservedMicroYuan));

    /// <summary>Holds <paramref name="amount"/> if Balance − Reserved covers it; false (nothing changed) otherwise.</summary>
    public static async Task<bool> TryHoldAsync(PortalDbContext db, Guid tenantId, Money amount, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var x = amount.MicroYuan;
        // NOTE: check and hold are one statement (WHERE balance − reserved − x ≥ 0), so N concurrent requests and the
        // relay's own reservations (which raise Reserved the same way) can never hold more than the cash there is.
        return await db.Wallets.IgnoreTenantFilter()
            .Where(w => w.TenantId == tenantId && w.BalanceMicroYuan - w.ReservedMicroYuan - x >= 0)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.ReservedMicroYuan, w => w.ReservedMicroYuan + x).SetProperty(w => w.UpdatedAt, now), cancellationToken) == 1;
    }

    /// <summary>Releases a hold (rejection, cancellation). Throws if Reserved is lower than the hold: that is a bug.</summary>
    public static async Task ReleaseAsync(PortalDbContext db, Guid tenantId, Money amount, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var x = amount.MicroYuan;
        var released = await db.Wallets.IgnoreTenantFilter()
            .Where(w => w.TenantId == tenantId && w.ReservedMicroYuan >= x)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.ReservedMicroYuan, w => w.ReservedMicroYuan - x).SetProperty(w => w.UpdatedAt, now), cancellationToken);
        if (released != 1) throw new InvalidOperationException($"The wallet of tenant {tenantId} holds less than the refund's {amount.ToDisplay()}.");
    }

    /// <summary>
    /// Takes the wallet row's lock for the rest of the transaction (PostgreSQL row lock; SQLite has one writer).
    /// Every refund decision locks the wallet first, so decisions and payouts of one tenant always lock in the same
    /// order (wallet, then refund rows) and approvals of one tenant see each other's allocations.
    /// </summary>
    public static Task LockWalletAsync(PortalDbContext db, Guid tenantId, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == tenantId)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.UpdatedAt, now), cancellationToken);
}
