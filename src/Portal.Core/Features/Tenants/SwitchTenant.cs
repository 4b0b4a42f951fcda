using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;

namespace Portal.Core.Features.Tenants;

/// <summary>A user in several tenants chooses which one they act in. The caller re-issues the sign-in cookie.</summary>
public static class SwitchTenant
{
    public sealed record Command(Guid TenantId);

    public sealed record MyTenant(Guid TenantId, string Name, TenantKind Kind, TenantRole Role, bool IsCurrent);

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, ICurrentUser currentUser)
    {
        public async Task<Result<Unit>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (currentUser.UserId is not { } userId) return Error.Forbidden();
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            // A user's own memberships across tenants: the user id is the scope here.
            var isMember = await db.Memberships.IgnoreTenantFilter().AnyAsync(m => m.UserId == userId && m.TenantId == command.TenantId, cancellationToken);
            if (!isMember) return Error.NotFound("Tenant");
            await db.Users.Where(u => u.Id == userId)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.CurrentTenantId, command.TenantId), cancellationToken);
            return Unit.Value;
        }

        public async Task<IReadOnlyList<MyTenant>> ListMineAsync(CancellationToken cancellationToken = default)
        {
            if (currentUser.UserId is not { } userId) return [];
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var current = currentUser.TenantId;
            return await db.Memberships.IgnoreTenantFilter().AsNoTracking()
                .Where(m => m.UserId == userId)
                .OrderBy(m => m.Tenant!.Name)
                .Select(m => new MyTenant(m.TenantId, m.Tenant!.Name, m.Tenant.Kind, m.Role, m.TenantId == current))
                .ToListAsync(cancellationToken);
        }
    }
}
