using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Plans;

/// <summary>Which of the wallet's two plan-credit pots a change concerns.</summary>
public enum PlanCreditPot
{
    /// <summary><see cref="Wallet.Wallet.PlanCreditMicroYuan"/>: the current subscription period's credit.</summary>
    Current,

    /// <summary><see cref="Wallet.Wallet.CarryoverPlanCreditMicroYuan"/>: an earlier period's credit, usable until its own expiry.</summary>
    Carryover,
}

/// <summary>A change to a plan-credit pot, recorded as a <see cref="PlanCreditEvent"/>.</summary>
public sealed record PlanCreditChange(PlanCreditEventKind Kind, PlanCreditPot Pot, long AmountMicroYuan, DateTimeOffset? ExpiresAt);

/// <summary>
/// The rules for the wallet's two plan-credit pots, as pure functions of a wallet the caller has locked. Plan credit
/// is not ledger money: these never touch the balance. Callers hold the wallet row's lock
/// (<see cref="PlanCreditBook.LockAsync"/>) for the whole transaction, like the relay's settlement, so no draw can
/// happen between reading a pot and writing it.
/// </summary>
public static class PlanCreditPots
{
    /// <summary>
    /// Empties the pots whose expiry has passed and returns what they still held, as <c>Expired</c> changes carrying the
    /// instant they expired. A pot past its expiry cannot be drawn from any more, so the amount is exact whenever it runs.
    /// </summary>
    public static IReadOnlyList<PlanCreditChange> ExpireDead(Wallet.Wallet wallet, DateTimeOffset now)
    {
        var changes = new List<PlanCreditChange>();
        if (wallet.CarryoverPlanCreditExpiresAt is { } carryover && carryover <= now)
        {
            if (wallet.CarryoverPlanCreditMicroYuan > 0)
                changes.Add(new PlanCreditChange(PlanCreditEventKind.Expired, PlanCreditPot.Carryover, wallet.CarryoverPlanCreditMicroYuan, carryover));
            wallet.CarryoverPlanCreditMicroYuan = 0;
            wallet.CarryoverPlanCreditExpiresAt = null;
        }

        if (wallet.PlanCreditExpiresAt is { } current && current <= now)
        {
            if (wallet.PlanCreditMicroYuan > 0)
                changes.Add(new PlanCreditChange(PlanCreditEventKind.Expired, PlanCreditPot.Current, wallet.PlanCreditMicroYuan, current));
            wallet.PlanCreditMicroYuan = 0;
            wallet.PlanCreditExpiresAt = null;
        }

        return changes;
    }

    /// <summary>
    /// Moves what is left of the current pot to the carry-over pot, keeping its expiry, so the current pot is free for a
    /// new period's credit. When the carry-over pot still holds live credit from an earlier plan change, the two merge
    /// and the merged pot keeps the <b>earlier</b> of the two expiries: no credit ever lives beyond its own expiry (the
    /// later credit may expire sooner; the purchase dialog says so). Call <see cref="ExpireDead"/> first.
    /// </summary>
    public static PlanCreditChange? CarryOver(Wallet.Wallet wallet, DateTimeOffset now)
    {
        if (wallet.PlanCreditMicroYuan <= 0 || wallet.PlanCreditExpiresAt is not { } expires || expires <= now)
        {
            wallet.PlanCreditMicroYuan = 0;
            wallet.PlanCreditExpiresAt = null;
            return null;
        }

        var moved = wallet.PlanCreditMicroYuan;
        var carryoverLive = wallet.CarryoverPlanCreditMicroYuan > 0 && wallet.CarryoverPlanCreditExpiresAt is { } c && c > now;
        var expiry = carryoverLive && wallet.CarryoverPlanCreditExpiresAt!.Value < expires ? wallet.CarryoverPlanCreditExpiresAt.Value : expires;
        wallet.CarryoverPlanCreditMicroYuan = (carryoverLive ? wallet.CarryoverPlanCreditMicroYuan : 0) + moved;
        wallet.CarryoverPlanCreditExpiresAt = expiry;
        wallet.PlanCreditMicroYuan = 0;
        wallet.PlanCreditExpiresAt = null;
        return new PlanCreditChange(PlanCreditEventKind.CarriedOver, PlanCreditPot.Carryover, moved, expiry);
    }

    /// <summary>Puts a period's credit in the (empty) current pot until <paramref name="expiresAt"/>.</summary>
    public static PlanCreditChange Grant(Wallet.Wallet wallet, Money credit, DateTimeOffset expiresAt)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(credit.MicroYuan, nameof(credit));
        if (wallet.PlanCreditMicroYuan != 0) throw new InvalidOperationException("Carry the current pot over before granting new credit.");
        wallet.PlanCreditMicroYuan = credit.MicroYuan;
        wallet.PlanCreditExpiresAt = expiresAt;
        return new PlanCreditChange(PlanCreditEventKind.Granted, PlanCreditPot.Current, credit.MicroYuan, expiresAt);
    }
}

/// <summary>Database side of plan credit: the wallet row's lock and the <see cref="PlanCreditEvent"/> history.</summary>
internal static class PlanCreditBook
{
    /// <summary>
    /// Takes the wallet row's lock for the rest of the transaction (an UPDATE locks the row on PostgreSQL; SQLite has
    /// one writer). With <paramref name="payable"/>, only while the cash balance not held for requests in flight
    /// (Balance − Reserved) covers it: plans are paid in cash, never from the 月结 credit line or from plan credit.
    /// False when there is no wallet or the cash is short.
    /// </summary>
    public static async Task<bool> LockAsync(PortalDbContext db, Guid tenantId, DateTimeOffset now, Money? payable, CancellationToken cancellationToken)
    {
        var wallets = db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == tenantId);
        if (payable is { } p)
        {
            var price = p.MicroYuan;
            wallets = wallets.Where(w => w.BalanceMicroYuan - w.ReservedMicroYuan >= price);
        }

        return await wallets.ExecuteUpdateAsync(s => s.SetProperty(w => w.UpdatedAt, now), cancellationToken) == 1;
    }

    /// <summary>The locked wallet, read after the lock so it is the latest version.</summary>
    public static Task<Wallet.Wallet> LockedWalletAsync(PortalDbContext db, Guid tenantId, CancellationToken cancellationToken) =>
        db.Wallets.IgnoreTenantFilter().SingleAsync(w => w.TenantId == tenantId, cancellationToken);

    /// <summary>Empties expired pots (<see cref="PlanCreditPots.ExpireDead"/>) and records what expired, attributed to the subscription the credit came from.</summary>
    public static async Task<long> ExpireDeadAsync(PortalDbContext db, Wallet.Wallet wallet, DateTimeOffset now, CancellationToken cancellationToken)
    {
        long expired = 0;
        foreach (var change in PlanCreditPots.ExpireDead(wallet, now))
        {
            var (subscriptionId, periodNo) = await OwnerAsync(db, wallet.TenantId, change.Pot, cancellationToken);
            Add(db, wallet.TenantId, change, subscriptionId, periodNo, now);
            expired += change.AmountMicroYuan;
        }

        return expired;
    }

    public static void Add(PortalDbContext db, Guid tenantId, PlanCreditChange change, Guid? subscriptionId, int? periodNo, DateTimeOffset now) =>
        db.PlanCreditEvents.Add(new PlanCreditEvent
        {
            Id = Ids.New(),
            TenantId = tenantId,
            SubscriptionId = subscriptionId,
            PeriodNo = periodNo,
            Kind = change.Kind,
            AmountMicroYuan = change.AmountMicroYuan,
            ExpiresAt = change.ExpiresAt,
            At = now,
        });

    // The current pot always holds the latest grant; the carry-over pot the latest carried-over credit.
    private static async Task<(Guid?, int?)> OwnerAsync(PortalDbContext db, Guid tenantId, PlanCreditPot pot, CancellationToken cancellationToken)
    {
        var kind = pot == PlanCreditPot.Current ? PlanCreditEventKind.Granted : PlanCreditEventKind.CarriedOver;
        var last = await db.PlanCreditEvents.IgnoreTenantFilter().AsNoTracking()
            .Where(e => e.TenantId == tenantId && e.Kind == kind)
            .OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Select(e => new { e.SubscriptionId, e.PeriodNo })
            .FirstOrDefaultAsync(cancellationToken);
        return (last?.SubscriptionId, last?.PeriodNo);
    }
}
