namespace Portal.Core.Features.Plans;

/// <summary>Daily: reminds Owners of plan periods ending within three days, once per period.</summary>
public sealed class PlanReminderJob(PlanRenewals renewals)
{
    public Task<int> RunAsync(CancellationToken cancellationToken) => renewals.SendRemindersAsync(cancellationToken);
}
