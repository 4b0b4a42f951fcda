using System.Text;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;

namespace Portal.Core.Features.Usage;

/// <summary>
/// Keeps <see cref="UsageHourly"/>, <see cref="UsageDaily"/> and <see cref="ChannelUsageHourly"/> equal to the sums of
/// the usage records. It runs inside the settlement writer's transaction, so a batch and its roll-ups commit or roll
/// back together: nothing is missed, nothing counted twice (a retried batch is a new transaction).
/// </summary>
/// <remarks>
/// NOTE: one set-based <c>INSERT ... ON CONFLICT DO UPDATE SET x = x + excluded.x</c> per table (PostgreSQL and
/// SQLite ≥ 3.24 share the syntax). Increments are atomic under concurrent batches: PostgreSQL locks the conflicting
/// row and re-applies the update; SQLite has one writer. Rows are sorted by key so two batches touching the same
/// buckets lock them in the same order and cannot deadlock each other.
/// </remarks>
public sealed class UsageRollupObserver : IUsageBatchObserver
{
    /// <summary>Rows per statement: well under both providers' parameter limits (SQLite 32,766; PostgreSQL 65,535).</summary>
    private const int RowsPerStatement = 500;

    private static readonly string[] TenantColumns =
        ["tenant_id", "{bucket}", "api_key_id", "model", "requests", "errors", "input_tokens", "cached_input_tokens", "output_tokens",
         "cost_micro_yuan", "plan_credit_used_micro_yuan", "wallet_charged_micro_yuan"];

    private static readonly string[] ChannelColumns =
        ["channel_id", "hour", "model", "requests", "errors", "latency_ms_sum", "time_to_first_token_ms_sum", "time_to_first_token_count"];

    /// <summary>What counts as an error in dashboards: the request failed, or the upstream broke off mid-answer.</summary>
    public static bool IsError(UsageStatus status) => status is UsageStatus.Failed or UsageStatus.UpstreamInterrupted;

    public async Task OnBatchAsync(PortalDbContext db, IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return;
        await UpsertTenantAsync(db, "usage_hourly", "hour", Sum(batch, r => UsageBuckets.HourOf(r.At)), cancellationToken);
        await UpsertTenantAsync(db, "usage_daily", "day", Sum(batch, r => UsageBuckets.DayOf(r.At)), cancellationToken);
        await UpsertChannelsAsync(db, batch, cancellationToken);
    }

    private static List<object[]> Sum(IReadOnlyList<UsageRecord> batch, Func<UsageRecord, int> bucket) =>
        batch.GroupBy(r => (r.TenantId, Bucket: bucket(r), r.ApiKeyId, r.Model))
            .OrderBy(g => g.Key.TenantId).ThenBy(g => g.Key.Bucket).ThenBy(g => g.Key.ApiKeyId).ThenBy(g => g.Key.Model, StringComparer.Ordinal)
            .Select(g => new object[]
            {
                g.Key.TenantId, g.Key.Bucket, g.Key.ApiKeyId, g.Key.Model, (long)g.Count(), (long)g.Count(r => IsError(r.Status)),
                g.Sum(r => r.InputTokens), g.Sum(r => r.CachedInputTokens), g.Sum(r => r.OutputTokens),
                g.Sum(r => r.CostMicroYuan), g.Sum(r => r.PlanCreditUsedMicroYuan), g.Sum(r => r.WalletChargedMicroYuan),
            })
            .ToList();

    private static Task UpsertTenantAsync(PortalDbContext db, string table, string bucket, List<object[]> rows, CancellationToken cancellationToken) =>
        UpsertAsync(db, table, [.. TenantColumns.Select(c => c == "{bucket}" ? bucket : c)], keyColumns: 4, rows, cancellationToken);

    private static Task UpsertChannelsAsync(PortalDbContext db, IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken)
    {
        var rows = batch.GroupBy(r => (ChannelId: r.ChannelId ?? Guid.Empty, Hour: UsageBuckets.HourOf(r.At), r.Model))
            .OrderBy(g => g.Key.Hour).ThenBy(g => g.Key.ChannelId).ThenBy(g => g.Key.Model, StringComparer.Ordinal)
            .Select(g => new object[]
            {
                g.Key.ChannelId, g.Key.Hour, g.Key.Model, (long)g.Count(), (long)g.Count(r => IsError(r.Status)),
                g.Sum(r => (long)r.LatencyMs), g.Sum(r => (long)(r.TimeToFirstTokenMs ?? 0)), (long)g.Count(r => r.TimeToFirstTokenMs is not null),
            })
            .ToList();
        return UpsertAsync(db, "channel_usage_hourly", ChannelColumns, keyColumns: 3, rows, cancellationToken);
    }

    private static async Task UpsertAsync(PortalDbContext db, string table, string[] columns, int keyColumns, List<object[]> rows, CancellationToken cancellationToken)
    {
        foreach (var chunk in rows.Chunk(RowsPerStatement))
        {
            var sql = new StringBuilder()
                .Append("INSERT INTO \"").Append(table).Append("\" (").AppendJoin(", ", columns.Select(Quote)).Append(") VALUES ");
            var parameters = new List<object>(chunk.Length * columns.Length);
            for (var row = 0; row < chunk.Length; row++)
            {
                sql.Append(row == 0 ? "(" : ", (");
                for (var column = 0; column < columns.Length; column++)
                {
                    sql.Append(column == 0 ? "{" : ", {").Append(parameters.Count).Append('}');
                    parameters.Add(chunk[row][column]);
                }

                sql.Append(')');
            }

            sql.Append(" ON CONFLICT (").AppendJoin(", ", columns.Take(keyColumns).Select(Quote)).Append(") DO UPDATE SET ")
                .AppendJoin(", ", columns.Skip(keyColumns).Select(c => $"{Quote(c)} = \"{table}\".{Quote(c)} + excluded.{Quote(c)}"));
            await db.Database.ExecuteSqlRawAsync(sql.ToString(), parameters, cancellationToken);
        }
    }

    private static string Quote(string column) => $"\"{column}\"";
}
