using Hangfire;
using Portal.Core.Common;
using Portal.Core.Features.Notifications;

namespace Portal.Core.Common.Jobs;

/// <summary>
/// The one place recurring jobs are registered. Jobs take ids, never entities, and are safe to run twice.
/// Times are in Asia/Shanghai.
/// </summary>
public static class RecurringJobRegistry
{
    public static void Register(IRecurringJobManager jobs)
    {
        var options = new RecurringJobOptions { TimeZone = ChinaTime.Zone };
        jobs.AddOrUpdate<SendOutboxJob>("outbox-send", j => j.RunAsync(CancellationToken.None), Cron.Minutely(), options);
    }
}
