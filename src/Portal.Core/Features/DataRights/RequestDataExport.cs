using Portal.Core.Localization;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.DataRights;

/// <summary>
/// An Owner asks for an export of all the tenant's data. The row is saved as Queued and <see cref="BuildDataExportJob"/>
/// is enqueued; one export at a time may be queued or building. Audited.
/// </summary>
public static class RequestDataExport
{
    public static readonly Error AlreadyRunning = new("DataExport.AlreadyRunning", "An export is already being prepared. It appears below when it is ready.");

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, AuditLog audit, IBackgroundJobClient jobs, TimeProvider clock)
    {
        public async Task<Result<DataExportView>> HandleAsync(CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, TenantRole.Owner);
            if (!member.IsSuccess) return member.Error!;
            var tenantId = member.Value.TenantId;

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: the tenant row's lock serialises two requests of one tenant, so the "one at a time" check holds.
            await TenantAccess.LockMembershipsAsync(db, tenantId, cancellationToken);
            if (await db.Set<TenantDataExport>().AnyAsync(e => e.Status == DataExportStatus.Queued || e.Status == DataExportStatus.Building, cancellationToken))
                return AlreadyRunning;

            var export = new TenantDataExport
            {
                Id = Ids.New(),
                TenantId = tenantId,
                Status = DataExportStatus.Queued,
                RequestedByUserId = member.Value.UserId,
                RequestedAt = clock.GetUtcNow(),
            };
            db.Add(export);
            audit.Add(db, "data.export_requested", nameof(TenantDataExport), export.Id, LocalizedText.Encode("Data export requested"), tenantId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            jobs.Enqueue<BuildDataExportJob>(j => j.RunAsync(export.Id, CancellationToken.None));
            return DataExportView.From(export, clock.GetUtcNow());
        }
    }
}
