using Portal.Core.Localization;
using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Payments.Refunds;

public enum RefundStatus
{
    /// <summary>Waiting for finance; the amount is held in the wallet. The tenant may still cancel.</summary>
    Requested,

    /// <summary>Finance approved: the allocations are being paid out.</summary>
    Approved,

    /// <summary>Every allocation was paid out and debited.</summary>
    Completed,

    /// <summary>Finance refused; the hold was released.</summary>
    Rejected,

    /// <summary>The tenant withdrew it before a decision; the hold was released.</summary>
    Cancelled,
}

/// <summary>
/// A tenant's request to have unused cash balance paid back (未使用余额退款): Requested → Approved → Completed, or
/// Requested → Rejected | Cancelled. The amount is held in <see cref="Wallet.Wallet.ReservedMicroYuan"/> from the
/// moment of the request; <see cref="HeldMicroYuan"/> is what of it is still held (the amount until approval, then
/// less as each <see cref="RefundAllocation"/> is paid out and debited, zero once decided otherwise).
/// </summary>
public sealed class RefundRequest : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary><c>RF</c> + Beijing time + random: shown to people and used in Alipay's out_request_no.</summary>
    public string RefundNo { get; set; } = "";

    public long AmountMicroYuan { get; set; }

    /// <summary>What of <see cref="AmountMicroYuan"/> is still held in the wallet's Reserved.</summary>
    public long HeldMicroYuan { get; set; }

    public RefundStatus Status { get; set; }

    /// <summary>Why the tenant wants the money back (optional, shown to finance).</summary>
    public string? Reason { get; set; }

    public Guid? RequestedByUserId { get; set; }

    /// <summary>Email of the member who asked.</summary>
    public string RequestedBy { get; set; } = "";

    public DateTimeOffset RequestedAt { get; set; }

    /// <summary>Email of the finance user who approved or rejected, or of the member who cancelled.</summary>
    public string? DecidedBy { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    public string? RejectionReason { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public Money Amount => new(AmountMicroYuan);

    public Money Held => new(HeldMicroYuan);
}

public enum RefundAllocationKind
{
    /// <summary>Back to the Alipay account that paid a top-up (alipay.trade.refund).</summary>
    Alipay,

    /// <summary>By an outgoing bank transfer that finance makes and records.</summary>
    Bank,

    /// <summary>Back to the WeChat Pay user who paid a top-up (/v3/refund/domestic/refunds, out_refund_no = OutRequestNo).</summary>
    [EnumText("WeChat Pay")]
    Wechat,
}

public static class RefundAllocationKinds
{
    /// <summary>Parts paid back through the rail a top-up came from (Alipay, WeChat Pay), as opposed to by bank.</summary>
    public static bool IsRail(this RefundAllocationKind kind) => kind is RefundAllocationKind.Alipay or RefundAllocationKind.Wechat;
}

public enum RefundAllocationStatus
{
    /// <summary>Not paid out yet (Alipay: not tried, or the last try's outcome was unknown and it will be retried).</summary>
    Pending,

    /// <summary>Paid out and debited from the wallet.</summary>
    Succeeded,

    /// <summary>Alipay refused it: finance retries or pays this part by bank.</summary>
    Failed,
}

/// <summary>
/// One part of an approved refund, paid back one way: to one Alipay top-up (at most what is left of it), or by bank.
/// Its success posts one ledger debit under <c>refund:{Id}</c> that also releases this much of the hold.
/// </summary>
public sealed class RefundAllocation : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid RefundRequestId { get; set; }

    /// <summary>1-based position within the refund.</summary>
    public int Position { get; set; }

    public RefundAllocationKind Kind { get; set; }

    /// <summary>The Alipay top-up refunded (Alipay), or the one whose Alipay refund failed and was paid by bank instead.</summary>
    public Guid? TopUpOrderId { get; set; }

    /// <summary>The confirmed bank transfer this part goes back against (Bank); null when no inbound payment covers it.</summary>
    public Guid? BankTransferOrderId { get; set; }

    public long AmountMicroYuan { get; set; }

    /// <summary>Alipay's out_request_no, fixed when the allocation is made, so every retry refunds at most once.</summary>
    public string OutRequestNo { get; set; } = "";

    public RefundAllocationStatus Status { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    /// <summary>When the payout job may try an Alipay part again.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    public string? LastError { get; set; }

    /// <summary>The outgoing bank transfer's reference (Bank), entered by finance.</summary>
    public string? BankReference { get; set; }

    /// <summary>Alipay's gmt_refund_pay, or when finance recorded the bank payment.</summary>
    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>Email of the finance user who completed a bank part, or <c>system</c>.</summary>
    public string? CompletedBy { get; set; }

    public Money Amount => new(AmountMicroYuan);

    /// <summary>The ledger key of this part's debit.</summary>
    public string LedgerKey => LedgerKeyFor(Id);

    public static string LedgerKeyFor(Guid allocationId) => $"refund:{allocationId:N}";
}
