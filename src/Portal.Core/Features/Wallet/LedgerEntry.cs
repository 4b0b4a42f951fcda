using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Localization;

namespace Portal.Core.Features.Wallet;

public enum LedgerEntryKind
{
    [EnumText("Top-up")]
    TopUp,
    Refund,
    [EnumText("Plan purchase")]
    PlanPurchase,
    Adjustment,
    Reversal,

    /// <summary>Compensation for a month whose availability missed the SLA (<c>sla:{tenant}:{yyyy-MM}</c>).</summary>
    [EnumText("SLA credit")]
    SlaCredit,

    /// <summary>A month-end volume discount paid back (<c>rebate:{tenant}:{yyyy-MM}</c>).</summary>
    [EnumText("Volume rebate")]
    VolumeRebate,
}

/// <summary>
/// One movement of a wallet's balance. Append-only (interceptor and database trigger): corrections are new
/// entries. <see cref="IdempotencyKey"/> is unique, so the same payment can never be credited twice.
/// </summary>
public sealed class LedgerEntry : ITenantOwned, IAppendOnly
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid WalletId { get; set; }

    public DateTimeOffset At { get; set; }

    public LedgerEntryKind Kind { get; set; }

    /// <summary>Signed micro-yuan: credits positive, debits negative, never zero.</summary>
    public long AmountMicroYuan { get; set; }

    /// <summary>The wallet balance right after this entry, read inside the same transaction.</summary>
    public long BalanceAfterMicroYuan { get; set; }

    /// <summary>Where the movement comes from, unique: <c>alipay:{trade_no}</c>, <c>adjust:{request id}</c>, <c>demo:seed</c>.</summary>
    public string IdempotencyKey { get; set; } = "";

    public Guid? ActorUserId { get; set; }

    /// <summary>Email of the person who caused it, or <c>system</c> for payments and jobs.</summary>
    public string Actor { get; set; } = "";

    public string Memo { get; set; } = "";

    /// <summary>The business document behind it, e.g. the top-up order number.</summary>
    public string? Reference { get; set; }

    public Money Amount => new(AmountMicroYuan);

    public Money BalanceAfter => new(BalanceAfterMicroYuan);
}
