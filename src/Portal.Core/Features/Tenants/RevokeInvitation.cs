using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Localization;

namespace Portal.Core.Features.Tenants;

/// <summary>Withdraw a pending invitation; its link stops working.</summary>
public static class RevokeInvitation
{
    public sealed record Command(Guid InvitationId);

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, AuditLog audit, TimeProvider clock)
    {
        public async Task<Result<Unit>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireManagerAsync(db, cancellationToken);
            if (!actor.IsSuccess) return actor.Error!;
            var now = clock.GetUtcNow();
            // NOTE: conditional update: a concurrent accept and revoke cannot both win.
            var changed = await db.Invitations
                .Where(i => i.Id == command.InvitationId && i.AcceptedAt == null && i.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.RevokedAt, now), cancellationToken);
            if (changed == 0)
            {
                return await db.Invitations.AnyAsync(i => i.Id == command.InvitationId, cancellationToken)
                    ? AcceptInvitation.Used
                    : Error.NotFound("Invitation");
            }

            audit.Add(db, "members.invitation_revoked", nameof(Invitation), command.InvitationId, LocalizedText.Encode("Invitation withdrawn"), actor.Value!.TenantId);
            await db.SaveChangesAsync(cancellationToken);
            return Unit.Value;
        }
    }
}
