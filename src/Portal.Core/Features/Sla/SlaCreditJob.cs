using Microsoft.Extensions.Logging;
using Portal.Core.Features.Invoices;

namespace Portal.Core.Features.Sla;

/// <summary>
/// On the 2nd of each month (Beijing time) credits last month's SLA compensation. The day between the month's end and
/// the run lets late settlements arrive and lets operators review the preview and hold a credit.
/// </summary>
public sealed class SlaCreditJob(SlaCredits credits, TimeProvider clock, ILogger<SlaCreditJob> logger)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var (year, month) = StatementMonths.Previous(clock.GetUtcNow());
        var credited = await credits.RunAsync(year, month, cancellationToken);
        logger.LogInformation("SLA credits {Year}-{Month}: {Credited} tenants credited", year, month, credited);
        return credited;
    }
}
