using Microsoft.EntityFrameworkCore;
using Portal.Core.Common.Storage;
using Portal.Core.Data;

namespace Portal.Core.Features.DataRights;

/// <summary>
/// Hourly: deletes the ZIP of every export whose download period has ended and marks it Expired. Safe to run twice:
/// each export is claimed by a conditional update before its file is deleted.
/// </summary>
public sealed class ExpireDataExportsJob(IDbContextFactory<PortalDbContext> dbFactory, IFileStore files, TimeProvider clock)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var exports = db.Set<TenantDataExport>().IgnoreTenantFilter();
        var due = await exports.AsNoTracking().Where(e => e.Status == DataExportStatus.Ready && e.ExpiresAt <= now)
            .Select(e => new { e.Id, e.FileKey }).ToListAsync(cancellationToken);
        var expired = 0;
        foreach (var export in due)
        {
            if (await exports.Where(e => e.Id == export.Id && e.Status == DataExportStatus.Ready)
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.Status, DataExportStatus.Expired).SetProperty(e => e.DeletedAt, now).SetProperty(e => e.FileKey, (string?)null), cancellationToken) == 0)
                continue;
            if (export.FileKey is not null) await files.DeleteAsync(export.FileKey, cancellationToken);
            expired++;
        }

        return expired;
    }
}
