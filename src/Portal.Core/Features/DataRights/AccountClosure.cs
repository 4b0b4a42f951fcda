using Portal.Core.Data;

namespace Portal.Core.Features.DataRights;

/// <summary>
/// The record of a closed account (one per tenant): when and by whom it was closed, the refund of the balance, what
/// was deleted and what is kept until when, and the code of its public deletion certificate. Kept as long as the
/// financial records it speaks for. Not <see cref="ITenantOwned"/>: after closure nobody is a member any more, and the
/// public verification page reads it by code.
/// </summary>
public sealed class AccountClosure
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>The tenant's name at closure: the customer the retained invoices and ledger belong to.</summary>
    public string TenantName { get; set; } = "";

    public DateTimeOffset ClosedAt { get; set; }

    public Guid ClosedByUserId { get; set; }

    /// <summary>The refund of the unused balance, when there was one (whole fen).</summary>
    public Guid? RefundId { get; set; }

    public long RefundMicroYuan { get; set; }

    /// <summary>When personal data was deleted (the same transaction as the closure).</summary>
    public DateTimeOffset DeletedAt { get; set; }

    /// <summary>What was deleted, counted: one line per kind (<c>members=3</c>), in the certificate's order.</summary>
    public string DeletedSummary { get; set; } = "";

    public DateTimeOffset AccountingRetainedUntil { get; set; }

    public DateTimeOffset InvoicesRetainedUntil { get; set; }

    public DateTimeOffset StatementsRetainedUntil { get; set; }

    /// <summary>The code of the public verification page and the certificate's QR code (22 URL-safe characters).</summary>
    public string VerificationCode { get; set; } = "";

    /// <summary>The deletion certificate PDF in the file store.</summary>
    public string CertificateFileKey { get; set; } = "";

    /// <summary>SHA-256 (hex) of the certificate PDF, shown on the verification page so a copy can be checked.</summary>
    public string CertificateSha256 { get; set; } = "";
}
