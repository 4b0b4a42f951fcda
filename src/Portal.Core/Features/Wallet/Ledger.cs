using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Wallet;

/// <summary>A request to move money: signed amount, kind, a unique idempotency key, and what the audit log should say.</summary>
/// <param name="TenantId">Whose wallet.</param>
/// <param name="Amount">Positive credits, negative debits; never zero.</param>
/// <param name="Kind">What kind of movement it is.</param>
/// <param name="IdempotencyKey">Unique per movement: a second posting with the same key is acknowledged, never applied.</param>
/// <param name="Memo">Shown to the tenant and operators.</param>
/// <param name="AuditAction">Dotted audit action, e.g. <c>wallet.adjusted</c>.</param>
/// <param name="Reference">The business document behind it (order number).</param>
/// <param name="FromHold">
/// A debit of money held earlier in <see cref="Wallet.ReservedMicroYuan"/> (a refund's hold): the same UPDATE releases
/// that much of the hold and requires the hold to exist, instead of checking the available balance again (the hold
/// already took the money out of it, and Balance − Reserved does not change).
/// </param>
public sealed record LedgerPosting(Guid TenantId, Money Amount, LedgerEntryKind Kind, string IdempotencyKey, string Memo, string AuditAction, string? Reference = null, bool FromHold = false);

/// <summary>The entry that records the movement; <see cref="AlreadyApplied"/> when an earlier posting with the same key did it.</summary>
public sealed record LedgerPostResult(LedgerEntry Entry, bool AlreadyApplied);

/// <summary>
/// The only code that moves money. A posting is one transaction: an optional claim by the caller (e.g. order
/// Pending → Paid), an atomic conditional UPDATE of the wallet balance, and the ledger entry under its unique
/// idempotency key, plus the audit entry. Callers authorise; the ledger trusts them and writes in platform scope.
/// </summary>
public sealed class Ledger(IDbContextFactory<PortalDbContext> dbFactory, ICurrentUser currentUser, AuditLog audit, TimeProvider clock)
{
    public static readonly Error InsufficientFunds = new("Wallet.InsufficientFunds", "The wallet's available balance is too low for this debit.");
    public static readonly Error ClaimRejected = new("Wallet.ClaimRejected", "This movement was already applied in another way.");

    /// <summary>
    /// Applies <paramref name="posting"/> once. <paramref name="claim"/> runs first inside the same transaction;
    /// when it returns false the posting is abandoned (rolled back) and reported as already applied if an entry
    /// with the key exists, otherwise as <see cref="ClaimRejected"/>.
    /// </summary>
    public async Task<Result<LedgerPostResult>> PostAsync(
        LedgerPosting posting,
        Func<PortalDbContext, CancellationToken, Task<bool>>? claim = null,
        CancellationToken cancellationToken = default)
    {
        if (posting.Amount == Money.Zero) throw new ArgumentException("A ledger posting cannot be zero.", nameof(posting));
        if (posting.FromHold && posting.Amount > Money.Zero) throw new ArgumentException("Only a debit can be taken from a hold.", nameof(posting));
        ArgumentException.ThrowIfNullOrWhiteSpace(posting.IdempotencyKey);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        using var platform = db.EnterPlatformScope();
        var existing = await FindAsync(db, posting.IdempotencyKey, cancellationToken);
        if (existing is not null) return new LedgerPostResult(existing, AlreadyApplied: true);

        var amount = posting.Amount.MicroYuan;
        var now = clock.GetUtcNow();
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                if (claim is not null && !await claim(db, cancellationToken))
                {
                    await transaction.RollbackAsync(cancellationToken);
                    var prior = await FindAsync(db, posting.IdempotencyKey, cancellationToken);
                    return prior is null ? ClaimRejected : new LedgerPostResult(prior, AlreadyApplied: true);
                }

                // NOTE: the balance moves in one conditional UPDATE (no read-modify-write), so concurrent postings
                // cannot lose each other's changes; a debit only applies while Balance + CreditLimit − Reserved stays
                // non-negative, checked by the same statement. The UPDATE also takes the wallet row's lock (one writer
                // on SQLite), so the balance read below is exactly this posting's result.
                // A debit from a hold moves Balance and Reserved down together, so Balance + CreditLimit − Reserved (and
                // what the relay may still reserve) stays exactly as it was: it needs the hold, not new headroom.
                var wallets = db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == posting.TenantId);
                if (posting.FromHold)
                    wallets = wallets.Where(w => w.ReservedMicroYuan + amount >= 0 && w.BalanceMicroYuan + w.CreditLimitMicroYuan + amount >= 0);
                else if (amount < 0)
                    wallets = wallets.Where(w => w.BalanceMicroYuan + w.CreditLimitMicroYuan - w.ReservedMicroYuan + amount >= 0);
                var updated = await wallets.ExecuteUpdateAsync(
                    s =>
                    {
                        s.SetProperty(w => w.BalanceMicroYuan, w => w.BalanceMicroYuan + amount).SetProperty(w => w.UpdatedAt, now);
                        if (posting.FromHold) s.SetProperty(w => w.ReservedMicroYuan, w => w.ReservedMicroYuan + amount);
                    },
                    cancellationToken);
                if (updated == 0)
                {
                    await transaction.RollbackAsync(cancellationToken);
                    // No row matched: the tenant has no wallet yet (always the reason for a credit), or a debit lacks
                    // funds. Create the wallet (one of concurrent first postings wins the unique index) and post again once.
                    if (attempt == 0 && (amount > 0 || !await db.Wallets.IgnoreTenantFilter().AnyAsync(w => w.TenantId == posting.TenantId, cancellationToken)))
                    {
                        await EnsureWalletAsync(db, posting.TenantId, cancellationToken);
                        continue;
                    }

                    return InsufficientFunds;
                }

                var wallet = await db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == posting.TenantId)
                    .Select(w => new { w.Id, w.BalanceMicroYuan }).SingleAsync(cancellationToken);
                var entry = new LedgerEntry
                {
                    Id = Ids.New(),
                    TenantId = posting.TenantId,
                    WalletId = wallet.Id,
                    At = now,
                    Kind = posting.Kind,
                    AmountMicroYuan = amount,
                    BalanceAfterMicroYuan = wallet.BalanceMicroYuan,
                    IdempotencyKey = posting.IdempotencyKey,
                    ActorUserId = currentUser.UserId,
                    Actor = currentUser.UserId is null ? "system" : currentUser.Name,
                    Memo = posting.Memo.Length > 500 ? posting.Memo[..500] : posting.Memo,
                    Reference = posting.Reference,
                };
                db.LedgerEntries.Add(entry);
                audit.Add(db, posting.AuditAction, nameof(LedgerEntry), entry.Id,
                    LocalizedText.Encode("{0} {1} → {2} [{3}] {4}", LocalizedText.Term(posting.Kind), posting.Amount.ToDisplay(), entry.BalanceAfter.ToDisplay(), posting.IdempotencyKey, posting.Memo), posting.TenantId);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return new LedgerPostResult(entry, AlreadyApplied: false);
            }
        }
        catch (DbUpdateException)
        {
            // NOTE: two postings with the same key raced past the lookup above; the unique index let exactly one
            // commit and this one rolled back whole (balance included). Acknowledge it as already applied.
            db.ChangeTracker.Clear();
            var winner = await FindAsync(db, posting.IdempotencyKey, cancellationToken);
            if (winner is null) throw;
            return new LedgerPostResult(winner, AlreadyApplied: true);
        }
    }

    /// <summary>The wallet of a tenant, created empty on first use.</summary>
    internal async Task<Guid> EnsureWalletAsync(PortalDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var walletId = await db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == tenantId).Select(w => (Guid?)w.Id).FirstOrDefaultAsync(cancellationToken);
        if (walletId is { } id) return id;

        using var platform = db.EnterPlatformScope();
        var now = clock.GetUtcNow();
        var wallet = new Wallet { Id = Ids.New(), TenantId = tenantId, CreatedAt = now, UpdatedAt = now };
        db.Wallets.Add(wallet);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return wallet.Id;
        }
        catch (DbUpdateException)
        {
            // NOTE: the unique index on tenant_id lets one of two concurrent first postings create the wallet.
            db.ChangeTracker.Clear();
            return await db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == tenantId).Select(w => w.Id).SingleAsync(cancellationToken);
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private static Task<LedgerEntry?> FindAsync(PortalDbContext db, string key, CancellationToken cancellationToken) =>
        db.LedgerEntries.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(e => e.IdempotencyKey == key, cancellationToken);
}
