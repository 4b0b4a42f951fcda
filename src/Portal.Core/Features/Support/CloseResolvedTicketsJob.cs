using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Support;

/// <summary>
/// Hourly: closes tickets resolved more than 7 days ago. One conditional UPDATE (status still Resolved and resolved
/// before the cut-off), so a customer's reply at the same moment wins or loses cleanly and two runs close once.
/// </summary>
public sealed class CloseResolvedTicketsJob(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public static readonly TimeSpan AutoCloseAfter = TimeSpan.FromDays(7);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var cutoff = now - AutoCloseAfter;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<SupportTicket>().IgnoreTenantFilter()
            .Where(t => t.Status == TicketStatus.Resolved && t.ResolvedAt != null && t.ResolvedAt <= cutoff)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Status, TicketStatus.Closed).SetProperty(t => t.ClosedAt, now).SetProperty(t => t.UpdatedAt, now), cancellationToken);
    }
}
