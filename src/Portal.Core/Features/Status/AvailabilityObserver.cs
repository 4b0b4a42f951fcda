using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Usage;

namespace Portal.Core.Features.Status;

/// <summary>
/// Adds each settlement batch to <see cref="ModelAvailabilityDay"/> inside the writer's transaction, so the
/// availability figures equal the usage records they come from; the relay's hot path does no extra work.
/// </summary>
/// <remarks>
/// NOTE: <c>INSERT ... ON CONFLICT DO UPDATE SET x = x + excluded.x</c>, the same statement on PostgreSQL and SQLite, with
/// rows in key order so that concurrent batches lock the same buckets in the same order.
/// </remarks>
public sealed class AvailabilityObserver : IUsageBatchObserver
{
    public async Task OnBatchAsync(PortalDbContext db, IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken)
    {
        var rows = batch.Select(r => (Record: r, Outcome: Availability.Classify(r)))
            .Where(r => r.Outcome != AvailabilityOutcome.Excluded)
            .GroupBy(r => (Day: UsageBuckets.DayOf(r.Record.At), r.Record.Model))
            .OrderBy(g => g.Key.Day).ThenBy(g => g.Key.Model, StringComparer.Ordinal)
            .Select(g => (g.Key.Day, g.Key.Model, Requests: (long)g.Count(), Failures: (long)g.Count(r => r.Outcome == AvailabilityOutcome.PlatformFailure)))
            .ToList();
        foreach (var row in rows)
        {
            await db.Database.ExecuteSqlInterpolatedAsync(
                $"""
                 INSERT INTO "model_availability_daily" ("day", "model", "requests", "platform_failures") VALUES ({row.Day}, {row.Model}, {row.Requests}, {row.Failures})
                 ON CONFLICT ("day", "model") DO UPDATE SET "requests" = "model_availability_daily"."requests" + excluded."requests",
                 "platform_failures" = "model_availability_daily"."platform_failures" + excluded."platform_failures"
                 """, cancellationToken);
        }
    }
}
