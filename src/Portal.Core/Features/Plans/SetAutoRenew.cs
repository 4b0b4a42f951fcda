using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Plans;

/// <summary>Turns auto-renew of the tenant's active subscription on or off (Owner, Admin or Finance). Audited.</summary>
public static class SetAutoRenew
{
    public sealed record Command(bool AutoRenew);

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, AuditLog audit)
    {
        public async Task<Result<bool>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, CreateTopUp.PayingRoles);
            if (!member.IsSuccess) return member.Error!;
            var active = await db.PlanSubscriptions.FirstOrDefaultAsync(s => s.Status == SubscriptionStatus.Active, cancellationToken);
            if (active is null) return PlanErrors.NoSubscription;
            if (active.AutoRenew == command.AutoRenew) return command.AutoRenew;

            // NOTE: conditional on the row still being Active; the renewal job reads the flag inside its own conditional
            // UPDATE, so a switch made before it runs is always honoured.
            var changed = await db.PlanSubscriptions.Where(s => s.Id == active.Id && s.Status == SubscriptionStatus.Active)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.AutoRenew, command.AutoRenew), cancellationToken);
            if (changed == 0) return PlanErrors.NoSubscription;
            audit.Add(db, command.AutoRenew ? "plans.auto_renew_on" : "plans.auto_renew_off", nameof(PlanSubscription), active.Id,
                LocalizedText.Encode(command.AutoRenew ? "auto-renew on" : "auto-renew off"), active.TenantId);
            await db.SaveChangesAsync(cancellationToken);
            return command.AutoRenew;
        }
    }
}
