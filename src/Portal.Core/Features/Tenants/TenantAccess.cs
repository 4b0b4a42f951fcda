using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;

namespace Portal.Core.Features.Tenants;

/// <summary>
/// Who the caller is inside the current tenant, read from the database on every use case so that a
/// removed member or a changed role takes effect at once, whatever the cookie still says.
/// </summary>
public sealed class TenantAccess(ICurrentUser currentUser)
{
    public async Task<Result<Membership>> RequireAsync(PortalDbContext db, CancellationToken cancellationToken, params TenantRole[] allowed)
    {
        if (currentUser.UserId is not { } userId || currentUser.TenantId is null)
            return Error.Forbidden();

        // The tenant filter already restricts memberships to the current tenant.
        var membership = await db.Memberships.AsNoTracking()
            .FirstOrDefaultAsync(m => m.UserId == userId, cancellationToken);
        if (membership is null) return Error.Forbidden("You are not a member of this tenant.");
        if (allowed.Length > 0 && !allowed.Contains(membership.Role)) return Error.Forbidden();
        return membership;
    }

    public Task<Result<Membership>> RequireMemberAsync(PortalDbContext db, CancellationToken cancellationToken) =>
        RequireAsync(db, cancellationToken);

    public Task<Result<Membership>> RequireManagerAsync(PortalDbContext db, CancellationToken cancellationToken) =>
        RequireAsync(db, cancellationToken, TenantRole.Owner, TenantRole.Admin);

    /// <summary>
    /// Takes the tenant row's lock for the rest of the transaction (portable: an UPDATE locks on PostgreSQL,
    /// and SQLite has one writer). Every membership change calls this first.
    /// </summary>
    public static Task LockMembershipsAsync(PortalDbContext db, Guid tenantId, CancellationToken cancellationToken) =>
        db.Tenants.Where(t => t.Id == tenantId)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.MembershipVersion, t => t.MembershipVersion + 1), cancellationToken);
}
