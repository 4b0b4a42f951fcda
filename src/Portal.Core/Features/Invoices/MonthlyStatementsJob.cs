using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Data;

namespace Portal.Core.Features.Invoices;

/// <summary>
/// On the 1st (China time), generates last month's statement of every tenant that has a wallet. Safe to run twice
/// and to resume: a month already generated is skipped.
/// </summary>
public sealed class MonthlyStatementsJob(IDbContextFactory<PortalDbContext> dbFactory, StatementGenerator generator, TimeProvider clock, ILogger<MonthlyStatementsJob> logger)
{
    /// <summary>Returns how many tenants now have last month's statement.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var (year, month) = StatementMonths.Previous(clock.GetUtcNow());
        var end = StatementMonths.End(year, month);
        List<Guid> tenants;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            tenants = await db.Wallets.IgnoreTenantFilter().Where(w => w.CreatedAt < end).Select(w => w.TenantId).ToListAsync(cancellationToken);
        }

        var done = 0;
        foreach (var tenantId in tenants)
        {
            try
            {
                if (await generator.EnsureAsync(tenantId, year, month, cancellationToken) is not null) done++;
            }
            catch (InvalidOperationException e)
            {
                // A statement that does not add up is a bug to look at, not a reason to skip every other tenant.
                logger.LogError(e, "Statement {Year}-{Month} of tenant {TenantId} could not be generated", year, month, tenantId);
            }
        }

        logger.LogInformation("Monthly statements {Year}-{Month}: {Done} of {Total} tenants", year, month, done, tenants.Count);
        return done;
    }
}
