using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Tenants;

/// <summary>Remove a member (or leave, when it is yourself). The last Owner cannot be removed.</summary>
public static class RemoveMember
{
    public sealed record Command(Guid MembershipId);

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, AuditLog audit)
    {
        public async Task<Result<Unit>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireMemberAsync(db, cancellationToken);
            if (!actor.IsSuccess) return actor.Error!;

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: same tenant row lock as role changes; see ChangeMemberRole.
            await TenantAccess.LockMembershipsAsync(db, actor.Value!.TenantId, cancellationToken);
            var member = await db.Memberships.Include(m => m.User).FirstOrDefaultAsync(m => m.Id == command.MembershipId, cancellationToken);
            if (member is null) return Error.NotFound("Member");

            var leaving = member.UserId == actor.Value!.UserId;
            if (!leaving && !actor.Value!.Role.CanManageMembers()) return Error.Forbidden();
            if (!leaving && member.Role == TenantRole.Owner && actor.Value!.Role != TenantRole.Owner) return ChangeMemberRole.OnlyOwnerMayChangeOwner;
            if (member.Role == TenantRole.Owner && await db.Memberships.CountAsync(m => m.Role == TenantRole.Owner, cancellationToken) <= 1)
                return ChangeMemberRole.LastOwner;

            db.Memberships.Remove(member);
            if (member.User!.CurrentTenantId == member.TenantId)
            {
                var other = await db.Memberships.IgnoreTenantFilter()
                    .Where(m => m.UserId == member.UserId && m.TenantId != member.TenantId)
                    .Select(m => (Guid?)m.TenantId).FirstOrDefaultAsync(cancellationToken);
                member.User.CurrentTenantId = other;
            }

            audit.Add(db, leaving ? "members.left" : "members.removed", nameof(Membership), member.Id, LocalizedText.Encode("{0} ({1})", member.User.Email ?? "", LocalizedText.Term(member.Role)), member.TenantId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return Unit.Value;
        }
    }
}
