using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Plans;

/// <summary>
/// An operator takes a plan off sale (archived plans are not sold, but current subscribers keep and renew them) or
/// puts it back on sale. PlatformAdmin; audited.
/// </summary>
public static class ArchivePlan
{
    public sealed record Command(Guid PlanId, bool Archived);

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, OperatorAccess access, AuditLog audit, TimeProvider clock)
    {
        public async Task<Result<Plan>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireAsync(db, cancellationToken, OperatorRoles.PlatformAdmin);
            if (!actor.IsSuccess) return actor.Error!;
            var plan = await db.Plans.FirstOrDefaultAsync(p => p.Id == command.PlanId, cancellationToken);
            if (plan is null) return Error.NotFound("Plan");
            var status = command.Archived ? PlanStatus.Archived : PlanStatus.Active;
            if (plan.Status == status) return plan;
            plan.Status = status;
            plan.UpdatedAt = clock.GetUtcNow();
            audit.Add(db, command.Archived ? "plans.plan_archived" : "plans.plan_restored", nameof(Plan), plan.Id, LocalizedText.Encode("{0}", plan.Name), null);
            await db.SaveChangesAsync(cancellationToken);
            return plan;
        }
    }
}
