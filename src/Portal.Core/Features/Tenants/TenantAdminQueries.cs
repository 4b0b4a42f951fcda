using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Tenants;

public sealed record TenantRow(Guid Id, string Name, TenantKind Kind, DateTimeOffset CreatedAt, int Members, string? OwnerEmail);

public sealed record TenantDetail(TenantRow Tenant, IReadOnlyList<MemberView> Members, IReadOnlyList<InvitationView> Invitations);

/// <summary>Operator views of tenants. Callers are operator pages; the tenant filter is deliberately ignored.</summary>
public sealed class TenantAdminQueries(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public async Task<(IReadOnlyList<TenantRow> Items, int Total)> SearchAsync(string? search, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.Tenants.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var s = search.Trim();
            var upper = s.ToUpperInvariant();
            query = query.Where(t => t.Name.Contains(s)
                || db.Memberships.IgnoreTenantFilter().Any(m => m.TenantId == t.Id && m.User!.NormalizedEmail!.Contains(upper)));
        }

        var total = await query.CountAsync(cancellationToken);
        var size = Math.Clamp(pageSize, 1, 200);
        var rows = await query.OrderByDescending(t => t.CreatedAt).Skip(Math.Max(0, page) * size).Take(size)
            .Select(t => new TenantRow(t.Id, t.Name, t.Kind, t.CreatedAt,
                db.Memberships.IgnoreTenantFilter().Count(m => m.TenantId == t.Id),
                db.Memberships.IgnoreTenantFilter().Where(m => m.TenantId == t.Id && m.Role == TenantRole.Owner).OrderBy(m => m.JoinedAt).Select(m => m.User!.Email).FirstOrDefault()))
            .ToListAsync(cancellationToken);
        return (rows, total);
    }

    public async Task<TenantDetail?> GetAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var tenant = await db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        if (tenant is null) return null;
        var members = await db.Memberships.IgnoreTenantFilter().AsNoTracking().Include(m => m.User)
            .Where(m => m.TenantId == tenantId).ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var invitations = await db.Invitations.IgnoreTenantFilter().AsNoTracking()
            .Where(i => i.TenantId == tenantId && i.AcceptedAt == null).ToListAsync(cancellationToken);
        var owner = members.Where(m => m.Role == TenantRole.Owner).OrderBy(m => m.JoinedAt).Select(m => m.User!.Email).FirstOrDefault();
        return new TenantDetail(
            new TenantRow(tenant.Id, tenant.Name, tenant.Kind, tenant.CreatedAt, members.Count, owner),
            members.OrderBy(m => m.Role).Select(MemberView.From).ToList(),
            invitations.OrderByDescending(i => i.CreatedAt).Select(i => new InvitationView(i.Id, i.Email, i.Role, i.StatusAt(now), i.CreatedAt, i.ExpiresAt)).ToList());
    }
}
