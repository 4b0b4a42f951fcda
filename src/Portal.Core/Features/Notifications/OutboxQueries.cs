using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Notifications;

/// <summary>Operator view of the outbox: on the embedded default, this is where confirmation links are read.</summary>
public sealed class OutboxQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    public async Task<(IReadOnlyList<OutboxMessage> Items, int Total)> SearchAsync(string? to, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.OutboxMessages.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(to)) query = query.Where(m => m.To.Contains(to.Trim()));
        var total = await query.CountAsync(cancellationToken);
        var size = Math.Clamp(pageSize, 1, 200);
        var items = await query.OrderByDescending(m => m.CreatedAt).Skip(Math.Max(0, page) * size).Take(size).ToListAsync(cancellationToken);
        return (items, total);
    }

    public async Task<OutboxMessage?> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.OutboxMessages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id, cancellationToken);
    }

    /// <summary>The newest message to an address, e.g. the confirmation link a test or operator needs.</summary>
    public async Task<OutboxMessage?> LatestToAsync(string to, string kind, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.OutboxMessages.AsNoTracking().Where(m => m.To == to && m.Kind == kind)
            .OrderByDescending(m => m.CreatedAt).FirstOrDefaultAsync(cancellationToken);
    }
}
