using Microsoft.Extensions.Logging;

namespace Portal.Core.Features.Plans;

/// <summary>
/// Every minute: renews, lapses or ends subscriptions at their period end, then records expired plan credit.
/// Returns how many subscriptions it renewed, lapsed or ended.
/// </summary>
public sealed class PlanRenewalJob(PlanRenewals renewals, ILogger<PlanRenewalJob> logger)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var changed = 0;
        foreach (var id in await renewals.DueAsync(cancellationToken))
        {
            try
            {
                var outcome = await renewals.ProcessAsync(id, cancellationToken);
                if (outcome is RenewalOutcome.Renewed or RenewalOutcome.Lapsed or RenewalOutcome.Ended) changed++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One broken subscription must not hold up the others; it is due again on the next run.
                logger.LogError(e, "Renewal of plan subscription {SubscriptionId} failed", id);
            }
        }

        await renewals.RecordExpiredCreditAsync(cancellationToken);
        return changed;
    }
}
