using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Audit;

public sealed record AuditFilter(Guid? TenantId = null, string? Action = null, string? Actor = null, DateTimeOffset? From = null, DateTimeOffset? To = null, int Page = 0, int PageSize = 50);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, int Total);

/// <summary>Reads the audit log: a tenant's managers see their tenant's entries; operators see everything.</summary>
public sealed class AuditQueries(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access)
{
    /// <summary>One entry of the current tenant; another tenant's id is not found.</summary>
    public async Task<Result<AuditEntry>> GetForTenantAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var actor = await access.RequireManagerAsync(db, cancellationToken);
        if (!actor.IsSuccess) return actor.Error!;
        var entry = await db.AuditEntries.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, cancellationToken);
        return entry is null ? Error.NotFound("AuditEntry") : entry;
    }

    public async Task<Result<AuditPage>> ListForTenantAsync(AuditFilter filter, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var actor = await access.RequireManagerAsync(db, cancellationToken);
        if (!actor.IsSuccess) return actor.Error!;
        return await PageAsync(Apply(db.AuditEntries.AsNoTracking(), filter with { TenantId = null }), filter, cancellationToken);
    }

    /// <summary>Operators only (the caller's page is authorised for operator roles).</summary>
    public async Task<AuditPage> ListForOperatorAsync(AuditFilter filter, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await PageAsync(Apply(db.AuditEntries.IgnoreTenantFilter().AsNoTracking(), filter), filter, cancellationToken);
    }

    private static IQueryable<AuditEntry> Apply(IQueryable<AuditEntry> query, AuditFilter filter)
    {
        if (filter.TenantId is { } tenantId) query = query.Where(e => e.TenantId == tenantId);
        if (!string.IsNullOrWhiteSpace(filter.Action)) query = query.Where(e => e.Action.StartsWith(filter.Action.Trim()));
        if (!string.IsNullOrWhiteSpace(filter.Actor)) query = query.Where(e => e.Actor.Contains(filter.Actor.Trim()));
        if (filter.From is { } from) query = query.Where(e => e.At >= from);
        if (filter.To is { } to) query = query.Where(e => e.At < to);
        return query;
    }

    private static async Task<AuditPage> PageAsync(IQueryable<AuditEntry> query, AuditFilter filter, CancellationToken cancellationToken)
    {
        var total = await query.CountAsync(cancellationToken);
        var size = Math.Clamp(filter.PageSize, 1, 200);
        var items = await query.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip(Math.Max(0, filter.Page) * size).Take(size).ToListAsync(cancellationToken);
        return new AuditPage(items, total);
    }
}
