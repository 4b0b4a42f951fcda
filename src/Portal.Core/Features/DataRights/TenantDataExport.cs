using Portal.Core.Data;
using Portal.Core.Localization;

namespace Portal.Core.Features.DataRights;

public enum DataExportStatus
{
    /// <summary>Requested; the job has not started.</summary>
    [EnumText("Queued")]
    Queued,

    /// <summary>The job is writing the ZIP.</summary>
    [EnumText("Being built")]
    Building,

    /// <summary>Downloadable until <see cref="TenantDataExport.ExpiresAt"/>.</summary>
    [EnumText("Ready")]
    Ready,

    /// <summary>The job failed; the Owner may request a new export.</summary>
    [EnumText("Export failed")]
    Failed,

    /// <summary>The download period ended and the file was deleted.</summary>
    [EnumText("Expired")]
    Expired,
}

/// <summary>
/// One export of all a tenant's data (Owner only): a ZIP built by <see cref="BuildDataExportJob"/>, stored in the file
/// store and downloadable until <see cref="ExpiresAt"/>, then deleted by <see cref="ExpireDataExportsJob"/>.
/// </summary>
public sealed class TenantDataExport : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public DataExportStatus Status { get; set; }

    public Guid RequestedByUserId { get; set; }

    public DateTimeOffset RequestedAt { get; set; }

    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>Set when the ZIP is ready: the end of the download period.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>The ZIP in the file store while it is downloadable.</summary>
    public string? FileKey { get; set; }

    public long? SizeBytes { get; set; }

    /// <summary>SHA-256 (hex) of the whole ZIP, shown so a downloaded copy can be checked.</summary>
    public string? Sha256 { get; set; }

    /// <summary>How many parts (files) the manifest lists.</summary>
    public int? PartCount { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }

    /// <summary>Why the build failed (for operators; no data).</summary>
    public string? Failure { get; set; }
}
