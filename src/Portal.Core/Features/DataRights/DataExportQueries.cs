using Portal.Core.Localization;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.DataRights;

/// <summary>An export as the Owner sees it; <see cref="Downloadable"/> is false once the period has ended, even before the expiry job ran.</summary>
public sealed record DataExportView(
    Guid Id, DataExportStatus Status, DateTimeOffset RequestedAt, DateTimeOffset? CompletedAt, DateTimeOffset? ExpiresAt, long? SizeBytes, string? Sha256, int? PartCount)
{
    public bool Downloadable { get; init; }

    public static DataExportView From(TenantDataExport e, DateTimeOffset now)
    {
        var expired = e.Status == DataExportStatus.Expired || (e.Status == DataExportStatus.Ready && e.ExpiresAt <= now);
        return new DataExportView(e.Id, expired ? DataExportStatus.Expired : e.Status, e.RequestedAt, e.CompletedAt, e.ExpiresAt, e.SizeBytes, e.Sha256, e.PartCount)
        {
            Downloadable = !expired && e.Status == DataExportStatus.Ready,
        };
    }
}

/// <summary>A ready export's ZIP, opened for download.</summary>
public sealed record DataExportFile(Stream Content, string FileName, long? Length);

/// <summary>The current tenant's exports (Owner only). Another tenant's export is not found.</summary>
public sealed class DataExportQueries(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, IFileStore files, AuditLog audit, TimeProvider clock)
{
    public static readonly Error NotFound = Error.NotFound("DataExport");

    public static readonly Error Expired = new("DataExport.Expired", "This export's download period has ended and its file was deleted. Request a new export.");

    public static readonly Error NotReady = new("DataExport.NotReady", "This export is not ready yet.");

    public async Task<Result<IReadOnlyList<DataExportView>>> ListMineAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireAsync(db, cancellationToken, TenantRole.Owner);
        if (!member.IsSuccess) return member.Error!;
        var now = clock.GetUtcNow();
        var rows = await db.Set<TenantDataExport>().AsNoTracking().OrderByDescending(e => e.RequestedAt).Take(20).ToListAsync(cancellationToken);
        return rows.Select(e => DataExportView.From(e, now)).ToList();
    }

    public async Task<Result<DataExportView>> GetMineAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireAsync(db, cancellationToken, TenantRole.Owner);
        if (!member.IsSuccess) return member.Error!;
        var export = await db.Set<TenantDataExport>().AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
        return export is null ? NotFound : DataExportView.From(export, clock.GetUtcNow());
    }

    /// <summary>Opens the ZIP of a ready export within its download period; every download is audited.</summary>
    public async Task<Result<DataExportFile>> OpenAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireAsync(db, cancellationToken, TenantRole.Owner);
        if (!member.IsSuccess) return member.Error!;
        // The tenant filter hides other tenants' exports: their id is answered like a missing one.
        var export = await db.Set<TenantDataExport>().AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
        if (export is null) return NotFound;
        var view = DataExportView.From(export, clock.GetUtcNow());
        if (view.Status == DataExportStatus.Expired) return Expired;
        if (!view.Downloadable || export.FileKey is null) return NotReady;
        var content = await files.OpenReadAsync(export.FileKey, cancellationToken);
        if (content is null) return Expired;
        audit.Add(db, "data.export_downloaded", nameof(TenantDataExport), export.Id, LocalizedText.Encode("Data export downloaded ({0} bytes)", export.SizeBytes?.ToString(CultureInfo.InvariantCulture) ?? ""), export.TenantId);
        await db.SaveChangesAsync(cancellationToken);
        return new DataExportFile(content, FileName(export), export.SizeBytes);
    }

    private static string FileName(TenantDataExport export) =>
        $"portal-export-{ChinaTime.ToChina(export.CompletedAt ?? export.RequestedAt):yyyyMMdd-HHmm}.zip";
}
