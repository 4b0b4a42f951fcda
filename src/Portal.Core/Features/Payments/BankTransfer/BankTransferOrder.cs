using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Payments.BankTransfer;

public enum BankTransferStatus
{
    Pending,
    Confirmed,
    Rejected,
    Cancelled,
    Expired,
}

/// <summary>
/// A tenant's announced corporate transfer (对公转账): Pending → Confirmed | Rejected | Cancelled | Expired. Only
/// <see cref="ConfirmBankTransfer"/> makes it Confirmed, together with the ledger credit of what was received.
/// </summary>
public sealed class BankTransferOrder : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>Eight characters of <see cref="RemittanceCodes.Alphabet"/>, unique: the tenant writes it in the memo (附言).</summary>
    public string RemittanceCode { get; set; } = "";

    /// <summary>What the tenant said it would transfer.</summary>
    public long AmountMicroYuan { get; set; }

    public BankTransferStatus Status { get; set; }

    public Guid? CreatedByUserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>After this the code is no longer matched and the order expires.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>What actually arrived and was credited (Confirmed only).</summary>
    public long? ReceivedAmountMicroYuan { get; set; }

    /// <summary>The bank's transaction reference (交易流水号); unique, and the ledger key is <c>bank:{reference}</c>.</summary>
    public string? BankReference { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    /// <summary>Email of the finance user who confirmed or rejected, or <c>system</c>.</summary>
    public string? DecidedBy { get; set; }

    public string? RejectionReason { get; set; }

    public Money Amount => new(AmountMicroYuan);

    public Money? ReceivedAmount => ReceivedAmountMicroYuan is { } r ? new Money(r) : null;
}
