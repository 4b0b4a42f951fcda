using Portal.Core.Data;
using Portal.Core.Localization;

namespace Portal.Core.Features.Kyc;

public enum KycDocumentKind
{
    [EnumText("Business licence")]
    BusinessLicence,
    [EnumText("Authorisation letter")]
    AuthorisationLetter,
    [EnumText("ID card (portrait side)")]
    IdCardFront,
    [EnumText("ID card (emblem side)")]
    IdCardBack,
}

/// <summary>
/// An uploaded file of a tenant, kept in the <see cref="Common.Storage.IFileStore"/> under a random key. Its type was
/// decided from its content. Documents are immutable; submissions refer to them by id, so a resubmission can reuse them.
/// </summary>
public sealed class KycDocument : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public KycDocumentKind Kind { get; set; }

    public DocumentType Type { get; set; }

    /// <summary>The file store's key: random, never derived from the uploaded name.</summary>
    public string StorageKey { get; set; } = "";

    /// <summary>The uploaded name, for display only (never used to store or serve the file).</summary>
    public string OriginalName { get; set; } = "";

    public long Length { get; set; }

    public string Sha256 { get; set; } = "";

    public Guid? UploadedByUserId { get; set; }

    public DateTimeOffset UploadedAt { get; set; }
}
