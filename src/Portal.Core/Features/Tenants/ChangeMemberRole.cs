using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Localization;

namespace Portal.Core.Features.Tenants;

/// <summary>Change a member's role. Owners and Admins; only an Owner grants or takes away Owner; the last Owner stays.</summary>
public static class ChangeMemberRole
{
    public sealed record Command(Guid MembershipId, TenantRole Role);

    public static readonly Error LastOwner = new("Tenants.LastOwner", "A tenant must keep at least one Owner.");
    public static readonly Error OnlyOwnerMayChangeOwner = new("Tenants.OnlyOwnerMayGrantOwner", "Only an Owner can make someone an Owner or change an Owner's role.");

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, AuditLog audit)
    {
        public async Task<Result<MemberView>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (!Enum.IsDefined(command.Role)) return new Error("Tenants.InvalidRole", "Choose a valid role.");
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireManagerAsync(db, cancellationToken);
            if (!actor.IsSuccess) return actor.Error!;

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: the tenant row lock serialises concurrent role changes, so two Owners demoting each
            // other at once cannot leave the tenant without an Owner.
            await TenantAccess.LockMembershipsAsync(db, actor.Value!.TenantId, cancellationToken);
            var member = await db.Memberships.Include(m => m.User).FirstOrDefaultAsync(m => m.Id == command.MembershipId, cancellationToken);
            if (member is null) return Error.NotFound("Member");
            if (member.Role == command.Role) return MemberView.From(member);
            if ((member.Role == TenantRole.Owner || command.Role == TenantRole.Owner) && actor.Value!.Role != TenantRole.Owner)
                return OnlyOwnerMayChangeOwner;
            if (member.Role == TenantRole.Owner && await db.Memberships.CountAsync(m => m.Role == TenantRole.Owner, cancellationToken) <= 1)
                return LastOwner;

            var previous = member.Role;
            member.Role = command.Role;
            audit.Add(db, "members.role_changed", nameof(Membership), member.Id, LocalizedText.Encode("{0}: {1} → {2}", member.User!.Email ?? "", LocalizedText.Term(previous), LocalizedText.Term(command.Role)), member.TenantId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return MemberView.From(member);
        }
    }
}
