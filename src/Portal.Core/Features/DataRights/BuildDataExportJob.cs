using Portal.Core.Localization;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.DataRights;

/// <summary>
/// Builds one export: claims it (Queued → Building, a conditional update, so a second run does nothing), streams the
/// ZIP into the file store, hashes it, and marks it Ready for <see cref="DataRightsOptions.ExportDownloadDays"/> days.
/// </summary>
public sealed class BuildDataExportJob(
    IDbContextFactory<PortalDbContext> dbFactory,
    IFileStore files,
    AuditLog audit,
    IOptions<DataRightsOptions> options,
    TimeProvider clock,
    ILogger<BuildDataExportJob> logger)
{
    public async Task<bool> RunAsync(Guid exportId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        using var platform = db.EnterPlatformScope();
        var exports = db.Set<TenantDataExport>().IgnoreTenantFilter();
        var started = clock.GetUtcNow();
        if (await exports.Where(e => e.Id == exportId && e.Status == DataExportStatus.Queued)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, DataExportStatus.Building).SetProperty(e => e.StartedAt, started), cancellationToken) == 0)
            return false;
        var export = await exports.AsNoTracking().FirstAsync(e => e.Id == exportId, cancellationToken);

        string? key = null;
        try
        {
            var archive = new TenantDataArchive(db, files, export.TenantId, export.Id, started);
            long size;
            string sha256;
            await using (var upload = await files.BeginAsync(cancellationToken))
            {
                await using (var hashing = new HashingStream(upload.Content))
                {
                    await archive.WriteAsync(hashing, cancellationToken);
                    await hashing.FlushAsync(cancellationToken);
                    size = hashing.Written;
                    sha256 = hashing.Hex();
                }

                key = await upload.CommitAsync(".zip", cancellationToken);
            }

            var done = clock.GetUtcNow();
            await exports.Where(e => e.Id == exportId).ExecuteUpdateAsync(s => s
                .SetProperty(e => e.Status, DataExportStatus.Ready).SetProperty(e => e.CompletedAt, done)
                .SetProperty(e => e.ExpiresAt, done.AddDays(options.Value.ExportDownloadDays)).SetProperty(e => e.FileKey, key)
                .SetProperty(e => e.SizeBytes, size).SetProperty(e => e.Sha256, sha256).SetProperty(e => e.PartCount, archive.Parts.Count), cancellationToken);
            audit.Add(db, "data.export_ready", nameof(TenantDataExport), exportId, LocalizedText.Encode("{0} parts, {1} bytes, SHA-256 {2}", archive.Parts.Count.ToString(CultureInfo.InvariantCulture), size.ToString(CultureInfo.InvariantCulture), sha256), export.TenantId);
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Data export {ExportId} failed", exportId);
            if (key is not null) await files.DeleteAsync(key, CancellationToken.None);
            await exports.Where(x => x.Id == exportId).ExecuteUpdateAsync(s => s
                .SetProperty(x => x.Status, DataExportStatus.Failed).SetProperty(x => x.Failure, e.GetType().Name), CancellationToken.None);
            return false;
        }
    }

    /// <summary>SHA-256 (hex) of a stream, for tests and checks of downloaded copies.</summary>
    public static async Task<string> HashAsync(Stream stream, CancellationToken cancellationToken = default) =>
        Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
}
