using System.Data;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Wallet;

/// <summary>
/// Extension point of the ledger invariant: money taken from a wallet outside the ledger. The usage ledger
/// (<c>UsageRecord.WalletCharged</c>, a later issue) registers one; until then there is none and the invariant is
/// Balance = Σ LedgerEntry.
/// </summary>
public interface IWalletChargeSource
{
    /// <summary>Σ of what was charged to the wallet of <paramref name="tenantId"/>, read in the caller's transaction.</summary>
    Task<long> ChargedMicroYuanAsync(PortalDbContext db, Guid tenantId, CancellationToken cancellationToken);
}

/// <summary>The outcome of one invariant check.</summary>
public sealed record InvariantCheck(Guid WalletId, Guid TenantId, Money Balance, Money LedgerSum, Money Charged)
{
    public Money Expected => LedgerSum - Charged;

    public bool Holds => Balance == Expected;
}

/// <summary>Balance = Σ LedgerEntry − Σ charges, for one wallet, on one consistent snapshot.</summary>
public sealed class LedgerInvariant(IDbContextFactory<PortalDbContext> dbFactory, IEnumerable<IWalletChargeSource> chargeSources)
{
    public async Task<InvariantCheck?> CheckAsync(Guid walletId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // NOTE: balance and ledger sum come from one statement (one snapshot); the charge sources join the same
        // repeatable-read transaction (serializable on SQLite), so a posting in flight cannot show up as a mismatch.
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        var row = await db.Wallets.IgnoreTenantFilter().Where(w => w.Id == walletId)
            .Select(w => new
            {
                w.TenantId,
                w.BalanceMicroYuan,
                LedgerSum = db.LedgerEntries.IgnoreTenantFilter().Where(e => e.WalletId == w.Id).Sum(e => (long?)e.AmountMicroYuan) ?? 0,
            })
            .FirstOrDefaultAsync(cancellationToken);
        if (row is null) return null;
        long charged = 0;
        foreach (var source in chargeSources) charged += await source.ChargedMicroYuanAsync(db, row.TenantId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new InvariantCheck(walletId, row.TenantId, new Money(row.BalanceMicroYuan), new Money(row.LedgerSum), new Money(charged));
    }
}
