using Portal.Core.Data;

namespace Portal.Core.Features.Kyc;

public enum KycType
{
    Enterprise,
    Individual,
}

/// <summary>Draft → Submitted → Approved | Rejected; Approved → Revoked. Only a Draft is ever edited.</summary>
public enum KycStatus
{
    Draft,
    Submitted,
    Approved,
    Rejected,
    Revoked,
}

/// <summary>
/// One real-name verification attempt of a tenant. A submitted row is never edited by the tenant: after a
/// rejection or revocation the tenant starts a new draft, so every submission and its decision stay as history.
/// The database allows one open (Draft or Submitted) and one Approved row per tenant, and one Approved row per
/// 统一社会信用代码 across all tenants.
/// </summary>
public sealed class KycSubmission : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public KycType Type { get; set; }

    public KycStatus Status { get; set; }

    // Enterprise
    public string? CompanyName { get; set; }

    /// <summary>Normalised (upper case, no spaces) 统一社会信用代码.</summary>
    public string? CreditCode { get; set; }

    public string? LegalRepresentative { get; set; }

    public string? RegisteredAddress { get; set; }

    public string? ContactName { get; set; }

    public string? ContactMobile { get; set; }

    public bool ContactIsLegalRepresentative { get; set; }

    public Guid? LicenceDocumentId { get; set; }

    public Guid? AuthorisationLetterDocumentId { get; set; }

    // Individual
    public string? RealName { get; set; }

    /// <summary>
    /// The 身份证 number in clear, in memory only (not mapped): decrypted from <see cref="IdNumberProtected"/> when a row
    /// is read and encrypted into it (with <see cref="IdNumberHash"/>) when saved, by <see cref="ResidentIdEncryption"/>.
    /// </summary>
    public string? IdNumber { get; set; }

    /// <summary><see cref="IdNumber"/> encrypted with Data Protection.</summary>
    public string? IdNumberProtected { get; set; }

    /// <summary>
    /// HMAC-SHA256 (hex) of the normalised number under a platform secret: equal numbers hash equally, so the unique
    /// index on approved numbers and the duplicate check work without the number itself.
    /// </summary>
    public string? IdNumberHash { get; set; }

    /// <summary>
    /// The <c>id_number</c> column where versions before encryption kept the number in clear. Start-up encrypts such
    /// rows and empties it (<see cref="EncryptLegacyIdNumbers"/>); a later migration drops it.
    /// </summary>
    public string? LegacyIdNumber { get; set; }

    public Guid? IdFrontDocumentId { get; set; }

    public Guid? IdBackDocumentId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public Guid? SubmittedByUserId { get; set; }

    public DateTimeOffset? SubmittedAt { get; set; }

    /// <summary>The operator who approved or rejected (email).</summary>
    public string? DecidedBy { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    /// <summary>Why it was rejected (required for a rejection).</summary>
    public string? RejectionReason { get; set; }

    public string? RevokedBy { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public string? RevocationReason { get; set; }

    /// <summary>The subject shown to people: the company or the person.</summary>
    public string DisplayName => (Type == KycType.Enterprise ? CompanyName : RealName) ?? "";

    /// <summary>The ids of the documents this submission refers to.</summary>
    public IEnumerable<Guid> DocumentIds() =>
        new[] { LicenceDocumentId, AuthorisationLetterDocumentId, IdFrontDocumentId, IdBackDocumentId }
            .Where(id => id is not null).Select(id => id!.Value);
}
