using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Wallet;

/// <summary>
/// A tenant's prepaid CNY account. Amounts are micro-yuan (<see cref="Money"/>). Only <see cref="Ledger"/> changes
/// <see cref="BalanceMicroYuan"/>, always together with a <see cref="LedgerEntry"/>, by an atomic conditional UPDATE.
/// </summary>
public sealed class Wallet : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>Money the tenant has: Σ ledger entries − Σ usage charged to the wallet.</summary>
    public long BalanceMicroYuan { get; set; }

    /// <summary>Money held for requests in flight (relay admission); never negative.</summary>
    public long ReservedMicroYuan { get; set; }

    /// <summary>月结 credit an operator granted: the balance may go this far below zero.</summary>
    public long CreditLimitMicroYuan { get; set; }

    /// <summary>Credit from a package plan, usable until <see cref="PlanCreditExpiresAt"/>.</summary>
    public long PlanCreditMicroYuan { get; set; }

    public DateTimeOffset? PlanCreditExpiresAt { get; set; }

    /// <summary>
    /// Credit left from the previous plan after a mid-period plan change, usable until
    /// <see cref="CarryoverPlanCreditExpiresAt"/> (its own period end).
    /// </summary>
    public long CarryoverPlanCreditMicroYuan { get; set; }

    public DateTimeOffset? CarryoverPlanCreditExpiresAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public Money Balance => new(BalanceMicroYuan);

    public Money CreditLimit => new(CreditLimitMicroYuan);

    public Money Reserved => new(ReservedMicroYuan);

    /// <summary>Plan credit that has not expired at <paramref name="now"/>.</summary>
    public Money LivePlanCredit(DateTimeOffset now) => new(LivePart(PlanCreditMicroYuan, PlanCreditExpiresAt, now)
                                                           + LivePart(CarryoverPlanCreditMicroYuan, CarryoverPlanCreditExpiresAt, now));

    /// <summary>
    /// Takes up to <paramref name="amount"/> from live plan credit, the pot that expires first before the other, and
    /// returns what it took. Callers hold the wallet row's lock (settlement) and save the change.
    /// </summary>
    public Money DrawPlanCredit(Money amount, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount.MicroYuan, nameof(amount));
        var carryoverFirst = CarryoverPlanCreditExpiresAt is { } c && (PlanCreditExpiresAt is not { } p || c <= p);
        var wanted = amount.MicroYuan;
        long taken = 0;
        for (var pass = 0; pass < 2 && taken < wanted; pass++)
        {
            if ((pass == 0) == carryoverFirst)
            {
                var take = Math.Min(wanted - taken, LivePart(CarryoverPlanCreditMicroYuan, CarryoverPlanCreditExpiresAt, now));
                CarryoverPlanCreditMicroYuan -= take;
                taken += take;
            }
            else
            {
                var take = Math.Min(wanted - taken, LivePart(PlanCreditMicroYuan, PlanCreditExpiresAt, now));
                PlanCreditMicroYuan -= take;
                taken += take;
            }
        }

        return new Money(taken);
    }

    private static long LivePart(long microYuan, DateTimeOffset? expiresAt, DateTimeOffset now) =>
        expiresAt is { } expires && expires > now ? Math.Max(0, microYuan) : 0;

    /// <summary>What the tenant can spend: Balance + CreditLimit + live PlanCredit − Reserved.</summary>
    public Money Available(DateTimeOffset now) => Balance + CreditLimit + LivePlanCredit(now) - Reserved;
}
