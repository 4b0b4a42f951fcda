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

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public Money Balance => new(BalanceMicroYuan);

    public Money CreditLimit => new(CreditLimitMicroYuan);

    public Money Reserved => new(ReservedMicroYuan);

    /// <summary>Plan credit that has not expired at <paramref name="now"/>.</summary>
    public Money LivePlanCredit(DateTimeOffset now) =>
        PlanCreditExpiresAt is { } expires && expires > now ? new Money(PlanCreditMicroYuan) : Money.Zero;

    /// <summary>What the tenant can spend: Balance + CreditLimit + live PlanCredit − Reserved.</summary>
    public Money Available(DateTimeOffset now) => Balance + CreditLimit + LivePlanCredit(now) - Reserved;
}
