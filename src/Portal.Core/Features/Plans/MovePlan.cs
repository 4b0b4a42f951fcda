using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Plans;

/// <summary>An operator moves a plan one place up or down in the catalogue (swaps display order with its neighbour). PlatformAdmin; audited.</summary>
public static class MovePlan
{
    public sealed record Command(Guid PlanId, bool Up);

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, OperatorAccess access, AuditLog audit, TimeProvider clock)
    {
        public async Task<Result<Unit>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireAsync(db, cancellationToken, OperatorRoles.PlatformAdmin);
            if (!actor.IsSuccess) return actor.Error!;
            var plans = await db.Plans.OrderBy(p => p.DisplayOrder).ThenBy(p => p.CreatedAt).ToListAsync(cancellationToken);
            var index = plans.FindIndex(p => p.Id == command.PlanId);
            if (index < 0) return Error.NotFound("Plan");
            var other = command.Up ? index - 1 : index + 1;
            if (other < 0 || other >= plans.Count) return Unit.Value;

            // Renumber in steps of 10 in the new order, so equal or gappy orders become a clean sequence.
            (plans[index], plans[other]) = (plans[other], plans[index]);
            var now = clock.GetUtcNow();
            for (var i = 0; i < plans.Count; i++)
            {
                if (plans[i].DisplayOrder == (i + 1) * 10) continue;
                plans[i].DisplayOrder = (i + 1) * 10;
                plans[i].UpdatedAt = now;
            }

            audit.Add(db, "plans.plan_moved", nameof(Plan), command.PlanId, LocalizedText.Encode(command.Up ? "{0} moved up" : "{0} moved down", plans[other].Name), null);
            await db.SaveChangesAsync(cancellationToken);
            return Unit.Value;
        }
    }
}
