using Microsoft.Extensions.Logging;
using Portal.Core.Features.Invoices;

namespace Portal.Core.Features.Discounts;

/// <summary>On the 1st at 00:30 (Beijing time) credits last month's volume rebates.</summary>
public sealed class VolumeRebateJob(VolumeRebates rebates, TimeProvider clock, ILogger<VolumeRebateJob> logger)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var (year, month) = StatementMonths.Previous(clock.GetUtcNow());
        var credited = await rebates.RunAsync(year, month, cancellationToken);
        logger.LogInformation("Volume rebates {Year}-{Month}: {Credited} tenants credited", year, month, credited);
        return credited;
    }
}
