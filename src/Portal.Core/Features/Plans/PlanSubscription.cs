using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Localization;

namespace Portal.Core.Features.Plans;

public enum SubscriptionStatus
{
    /// <summary>The tenant's current plan; at most one per tenant (filtered unique index).</summary>
    Active,

    /// <summary>Another plan was bought mid-period; this one's remaining credit went to carry-over.</summary>
    Replaced,

    /// <summary>Auto-renew was off and the period ended.</summary>
    Ended,

    /// <summary>Auto-renew was on but the balance could not pay the next period.</summary>
    Lapsed,
}

/// <summary>
/// A tenant's subscription to a plan: a chain of monthly periods anchored at <see cref="AnchorAt"/> (period n ends
/// n calendar months after the anchor in Asia/Shanghai, the day clamped to the month's end; see <see cref="PlanCalendar"/>).
/// Each period is paid by one <c>PlanPurchase</c> ledger entry under the key <c>plan:{Id}:{periodNo}</c> and
/// recorded as a <see cref="PlanPeriod"/>.
/// </summary>
public sealed class PlanSubscription : ITenantOwned
{
    /// <summary>Chosen by the buyer's form (its request id), so a repeated submit buys once.</summary>
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid PlanId { get; set; }

    public SubscriptionStatus Status { get; set; }

    public bool AutoRenew { get; set; }

    /// <summary>Where the monthly periods count from (the purchase, or a restart after missed periods).</summary>
    public DateTimeOffset AnchorAt { get; set; }

    /// <summary>The period that starts at <see cref="AnchorAt"/> (1, unless periods were missed and the chain restarted).</summary>
    public int AnchorPeriodNo { get; set; } = 1;

    public int CurrentPeriodNo { get; set; }

    public DateTimeOffset CurrentPeriodStartAt { get; set; }

    public DateTimeOffset CurrentPeriodEndAt { get; set; }

    /// <summary>The period whose end reminder was sent, so the reminder goes out once per period.</summary>
    public int? ReminderSentForPeriodNo { get; set; }

    public Guid? CreatedByUserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>The subscription that replaced this one (a plan change).</summary>
    public Guid? ReplacedById { get; set; }
}

public enum PlanPeriodKind
{
    Purchase,
    Renewal,
}

/// <summary>One paid period of a subscription: what it cost and the credit it granted. Append-only history.</summary>
public sealed class PlanPeriod : ITenantOwned, IAppendOnly
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid SubscriptionId { get; set; }

    public int PeriodNo { get; set; }

    public Guid PlanId { get; set; }

    public PlanPeriodKind Kind { get; set; }

    public DateTimeOffset StartAt { get; set; }

    public DateTimeOffset EndAt { get; set; }

    public long PriceMicroYuan { get; set; }

    public long CreditMicroYuan { get; set; }

    /// <summary>The ledger entry that paid it (<c>plan:{subscriptionId}:{periodNo}</c>).</summary>
    public string LedgerKey { get; set; } = "";

    public DateTimeOffset PaidAt { get; set; }

    public Money Price => new(PriceMicroYuan);

    public Money Credit => new(CreditMicroYuan);
}

public enum PlanCreditEventKind
{
    /// <summary>A period's credit was put in the wallet's plan-credit pot.</summary>
    Granted,

    /// <summary>Remaining credit moved to the carry-over pot (plan change or renewal), still usable until <see cref="PlanCreditEvent.ExpiresAt"/>.</summary>
    [EnumText("Carried over")]
    CarriedOver,

    /// <summary>Credit left unused at its expiry; gone, not refunded.</summary>
    Expired,
}

/// <summary>
/// History of plan credit, which is not ledger money: grants, carry-overs and expiries, so that statements can show
/// expired credit. Append-only. For <see cref="PlanCreditEventKind.Expired"/>, <see cref="ExpiresAt"/> is the instant
/// the credit expired (<see cref="At"/> is when the expiry was recorded, up to a job interval later).
/// </summary>
public sealed class PlanCreditEvent : ITenantOwned, IAppendOnly
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>The subscription whose credit it is (the latest one, for a merged carry-over pot).</summary>
    public Guid? SubscriptionId { get; set; }

    public int? PeriodNo { get; set; }

    public PlanCreditEventKind Kind { get; set; }

    /// <summary>Positive micro-yuan of plan credit.</summary>
    public long AmountMicroYuan { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset At { get; set; }

    public Money Amount => new(AmountMicroYuan);
}
