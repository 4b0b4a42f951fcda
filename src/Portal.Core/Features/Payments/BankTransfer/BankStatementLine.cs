using Portal.Core.Common;

namespace Portal.Core.Features.Payments.BankTransfer;

public enum BankStatementLineStatus
{
    /// <summary>Imported, not yet looked at by the matcher.</summary>
    New,

    /// <summary>Credited to a transfer, automatically or linked by finance.</summary>
    Credited,

    /// <summary>The matcher could not decide: waits for finance.</summary>
    Review,

    /// <summary>Finance marked it as not a top-up (with a note).</summary>
    Unrelated,
}

/// <summary>One uploaded statement file.</summary>
public sealed class BankStatementImport
{
    public Guid Id { get; set; }

    public string FileName { get; set; } = "";

    public DateTimeOffset ImportedAt { get; set; }

    public string ImportedBy { get; set; } = "";

    /// <summary>Incoming lines in the file.</summary>
    public int IncomingLines { get; set; }

    /// <summary>Lines not seen in an earlier import (by 交易流水号).</summary>
    public int NewLines { get; set; }
}

/// <summary>
/// One incoming line of a bank statement. <see cref="TransactionId"/> (交易流水号) is unique, so importing the same
/// statement twice adds nothing; the line's credit uses the ledger key <c>bank:{TransactionId}</c>.
/// </summary>
public sealed class BankStatementLine
{
    public Guid Id { get; set; }

    public Guid ImportId { get; set; }

    public int LineNumber { get; set; }

    public string TransactionId { get; set; } = "";

    public DateTimeOffset TransactedAt { get; set; }

    public long AmountMicroYuan { get; set; }

    public string CounterpartyName { get; set; } = "";

    public string CounterpartyAccount { get; set; } = "";

    public string Memo { get; set; } = "";

    public BankStatementLineStatus Status { get; set; }

    /// <summary>Why the line is in review, or what finance noted.</summary>
    public string? Detail { get; set; }

    public Guid? TransferId { get; set; }

    public string? ResolvedBy { get; set; }

    public DateTimeOffset? ResolvedAt { get; set; }

    public Money Amount => new(AmountMicroYuan);
}
