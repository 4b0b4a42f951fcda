using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Accounts;

public sealed record UserRow(Guid Id, string Email, string DisplayName, bool EmailConfirmed, bool TwoFactorEnabled, bool LockedOut, DateTimeOffset CreatedAt, IReadOnlyList<string> Roles, int Tenants);

/// <summary>Operator view of users.</summary>
public sealed class UserAdminQueries(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public async Task<(IReadOnlyList<UserRow> Items, int Total)> SearchAsync(string? search, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var upper = search.Trim().ToUpperInvariant();
            query = query.Where(u => u.NormalizedEmail!.Contains(upper) || u.DisplayName.Contains(search.Trim()));
        }

        var total = await query.CountAsync(cancellationToken);
        var size = Math.Clamp(pageSize, 1, 200);
        var now = clock.GetUtcNow();
        var users = await query.OrderByDescending(u => u.CreatedAt).Skip(Math.Max(0, page) * size).Take(size)
            .Select(u => new
            {
                User = u,
                Roles = db.UserRoles.Where(r => r.UserId == u.Id).Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => r.Name!).ToList(),
                Tenants = db.Memberships.IgnoreTenantFilter().Count(m => m.UserId == u.Id),
            })
            .ToListAsync(cancellationToken);
        return (users.Select(x => new UserRow(x.User.Id, x.User.Email ?? "", x.User.DisplayName, x.User.EmailConfirmed, x.User.TwoFactorEnabled,
            x.User.LockoutEnd is { } end && end > now, x.User.CreatedAt, x.Roles, x.Tenants)).ToList(), total);
    }
}
