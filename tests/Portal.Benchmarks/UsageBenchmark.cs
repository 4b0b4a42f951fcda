using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Tenants;
using Portal.Core.Features.Usage;
using Portal.IntegrationTests.Infrastructure;

/// <summary>
/// Usage at scale on PostgreSQL: loads N usage rows over T tenants (the largest tenant gets --export-rows of them, the
/// rest spread evenly, 90 days back), builds the roll-ups the way the observer would have, then measures the tenant
/// overview queries and the first request-log page with filters for the largest tenant (p50/p95 over --runs runs),
/// and streams the largest tenant's whole log as CSV while sampling the process's memory.
///   dotnet run -c Release --project tests/Portal.Benchmarks -- --usage [--rows 10000000] [--tenants 1000] [--export-rows 1000000] [--runs 50]
/// </summary>
internal static class UsageBenchmark
{
    private static readonly string[] Models = ["gpt-4o", "gpt-4o-mini", "deepseek-chat", "deepseek-reasoner", "qwen-max", "qwen-plus", "glm-4", "text-embedding-3-small"];

    public static async Task<int> RunAsync()
    {
        var reuse = BenchmarkArgs.Text("--reuse-database");
        var rows = BenchmarkArgs.Int("--rows", 10_000_000);
        var tenantCount = Math.Max(2, BenchmarkArgs.Int("--tenants", 1000));
        var largest = Math.Min(rows, BenchmarkArgs.Int("--export-rows", 1_000_000));
        var runs = BenchmarkArgs.Int("--runs", 50);

        Console.WriteLine(reuse is null
            ? $"Starting PostgreSQL ({rows:N0} usage rows, {tenantCount:N0} tenants, largest tenant {largest:N0} rows)..."
            : "Measuring on the database loaded by an earlier run (--reuse-database)...");
        var connectionString = reuse ?? await (await PostgresServer.GetAsync()).CreateDatabaseAsync("portal_usage_bench");
        await using var app = new BenchmarkApp(connectionString);
        _ = app.Server;

        // The largest tenant is a real signed-up account, so the measured queries run through the app's own access checks.
        Guid tenantId, userId;
        const string email = "usage-bench@bench.test";
        if (reuse is not null)
        {
            await using var db = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            var owner = await db.Memberships.IgnoreTenantFilter().Where(m => m.User!.Email == email).Select(m => new { m.TenantId, m.UserId }).SingleAsync();
            (tenantId, userId) = (owner.TenantId, owner.UserId);
            rows = (int)await db.UsageRecords.IgnoreTenantFilter().LongCountAsync();
            tenantCount = await db.Tenants.CountAsync();
            largest = (int)await db.UsageRecords.IgnoreTenantFilter().LongCountAsync(r => r.TenantId == tenantId);
        }
        else
        {
            await using var scope = app.Services.CreateAsyncScope();
            var registered = await scope.ServiceProvider.GetRequiredService<RegisterAccount.Handler>()
                .HandleAsync(new RegisterAccount.Command(email, "Bench-Pass-2026", "Bench", "压测最大租户", TenantKind.Company));
            if (!registered.IsSuccess) throw new InvalidOperationException(registered.Error.Message);
            (tenantId, userId) = (registered.Value.TenantId!.Value, registered.Value.UserId);
        }

        var load = Stopwatch.StartNew();
        if (reuse is null)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await ExecAsync(connection, "Tenants, wallets and keys", $"""
                CREATE TEMP TABLE bench_tenants AS
                  SELECT 0 AS idx, '{tenantId}'::uuid AS id
                  UNION ALL SELECT g, gen_random_uuid() FROM generate_series(1, {tenantCount - 1}) g;
                INSERT INTO tenants (id, name, kind, created_at, membership_version)
                  SELECT id, '压测租户' || idx, 'Company', now(), 0 FROM bench_tenants WHERE idx > 0;
                INSERT INTO wallets (id, tenant_id, balance_micro_yuan, reserved_micro_yuan, credit_limit_micro_yuan, plan_credit_micro_yuan, carryover_plan_credit_micro_yuan, created_at, updated_at)
                  SELECT gen_random_uuid(), id, 1000000000000, 0, 0, 0, 0, now(), now() FROM bench_tenants;
                CREATE TEMP TABLE bench_keys AS
                  SELECT t.idx AS tenant_idx, k AS key_idx, t.id AS tenant_id, gen_random_uuid() AS key_id
                  FROM bench_tenants t CROSS JOIN generate_series(0, 19) k WHERE k < CASE WHEN t.idx = 0 THEN 20 ELSE 5 END;
                CREATE INDEX ON bench_keys (tenant_idx, key_idx);
                INSERT INTO api_keys (id, tenant_id, name, prefix, secret_hash, status, allowed_models, allowed_ip_ranges, created_by_user_id, created_at, updated_at)
                  SELECT key_id, tenant_id, '密钥, "' || key_idx || '"', 'sk-cn-' || left(md5(key_id::text), 4), md5(key_id::text) || md5(random()::text), 'Active', ARRAY[]::text[], ARRAY[]::text[], '{userId}', now(), now()
                  FROM bench_keys;
                """);

            // Bulk load without the secondary indexes, then build them once.
            var indexes = new List<(string Name, string Definition)>();
            await using (var read = new NpgsqlCommand("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'usage_records' AND indexname NOT LIKE 'pk_%'", connection))
            await using (var reader = await read.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync()) indexes.Add((reader.GetString(0), reader.GetString(1)));
            }

            await ExecAsync(connection, "Drop secondary indexes", string.Join(";\n", indexes.Select(i => $"DROP INDEX {i.Name}")));
            await ExecAsync(connection, $"{rows:N0} usage rows", $"""
                INSERT INTO usage_records (id, tenant_id, api_key_id, request_id, at, endpoint, model, channel_id, input_tokens, cached_input_tokens, output_tokens,
                  input_price_per_million_micro_yuan, output_price_per_million_micro_yuan, cached_input_price_per_million_micro_yuan, cost_micro_yuan,
                  plan_credit_used_micro_yuan, wallet_charged_micro_yuan, hold_micro_yuan, status, http_status, error_code, stream, estimated, overdraft,
                  latency_ms, time_to_first_token_ms, client_ip)
                SELECT gen_random_uuid(), k.tenant_id, k.key_id, 'req_' || s.g, now() - random() * interval '90 days', 'ChatCompletions', s.model,
                  ('00000000-0000-0000-0000-00000000000' || (s.g % 4 + 1))::uuid, s.input, s.input / 4, s.output, 5000000, 15000000, 2500000,
                  CASE WHEN s.failed THEN 0 ELSE (s.input * 5000000 + s.output * 15000000) / 1000000 + 1 END, 0,
                  CASE WHEN s.failed THEN 0 ELSE (s.input * 5000000 + s.output * 15000000) / 1000000 + 1 END, 100000,
                  CASE WHEN s.failed THEN 'Failed' ELSE 'Succeeded' END, CASE WHEN s.failed THEN 502 ELSE 200 END, CASE WHEN s.failed THEN 'upstream_error' END,
                  s.g % 2 = 0, s.g % 50 = 0, false, 200 + (random() * 3000)::int, CASE WHEN s.g % 2 = 0 THEN 100 + (random() * 500)::int END, '203.0.113.7'
                FROM (
                  SELECT g, CASE WHEN g <= {largest} THEN 0 ELSE 1 + g % {tenantCount - 1} END AS tenant_idx,
                    (ARRAY[{string.Join(",", Models.Select(m => $"'{m}'"))}])[1 + g % {Models.Length}] AS model,
                    (random() * 4000)::bigint AS input, (random() * 1500)::bigint AS output, random() < 0.03 AS failed, (random() * 20)::int AS k
                  FROM generate_series(1, {rows}) g
                ) s
                JOIN bench_keys k ON k.tenant_idx = s.tenant_idx AND k.key_idx = CASE WHEN s.tenant_idx = 0 THEN s.k % 20 ELSE s.k % 5 END;
                UPDATE wallets w SET balance_micro_yuan = balance_micro_yuan - c.charged
                  FROM (SELECT tenant_id, sum(wallet_charged_micro_yuan) AS charged FROM usage_records GROUP BY tenant_id) c WHERE c.tenant_id = w.tenant_id;
                """);
            await ExecAsync(connection, "Rebuild secondary indexes", string.Join(";\n", indexes.Select(i => i.Definition)));
            await ExecAsync(connection, "Roll-ups (hourly, daily, channel)", """
                INSERT INTO usage_hourly (tenant_id, hour, api_key_id, model, requests, errors, input_tokens, cached_input_tokens, output_tokens, cost_micro_yuan, plan_credit_used_micro_yuan, wallet_charged_micro_yuan)
                  SELECT tenant_id, to_char(at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDDHH24')::int, api_key_id, model, count(*), count(*) FILTER (WHERE status IN ('Failed', 'UpstreamInterrupted')),
                    sum(input_tokens), sum(cached_input_tokens), sum(output_tokens), sum(cost_micro_yuan), sum(plan_credit_used_micro_yuan), sum(wallet_charged_micro_yuan)
                  FROM usage_records GROUP BY 1, 2, 3, 4;
                INSERT INTO usage_daily (tenant_id, day, api_key_id, model, requests, errors, input_tokens, cached_input_tokens, output_tokens, cost_micro_yuan, plan_credit_used_micro_yuan, wallet_charged_micro_yuan)
                  SELECT tenant_id, hour / 100, api_key_id, model, sum(requests), sum(errors), sum(input_tokens), sum(cached_input_tokens), sum(output_tokens), sum(cost_micro_yuan), sum(plan_credit_used_micro_yuan), sum(wallet_charged_micro_yuan)
                  FROM usage_hourly GROUP BY 1, 2, 3, 4;
                INSERT INTO channel_usage_hourly (channel_id, hour, model, requests, errors, latency_ms_sum, time_to_first_token_ms_sum, time_to_first_token_count)
                  SELECT coalesce(channel_id, '00000000-0000-0000-0000-000000000000'), to_char(at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDDHH24')::int, model, count(*),
                    count(*) FILTER (WHERE status IN ('Failed', 'UpstreamInterrupted')), sum(latency_ms), coalesce(sum(time_to_first_token_ms), 0), count(time_to_first_token_ms)
                  FROM usage_records GROUP BY 1, 2, 3;
                """);
            await ExecAsync(connection, "VACUUM ANALYZE", "VACUUM ANALYZE usage_records; ANALYZE usage_hourly; ANALYZE usage_daily; ANALYZE api_keys;");
        }

        Console.WriteLine($"loaded in {load.Elapsed.TotalSeconds:F0} s");

        var today = ChinaTime.Today(TimeProvider.System);
        var now = DateTimeOffset.UtcNow;
        Guid someKey;
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            someKey = await db.ApiKeys.IgnoreTenantFilter().Where(k => k.TenantId == tenantId).OrderBy(k => k.Id).Select(k => k.Id).FirstAsync();
        }

        async Task<T> AsLargest<T>(Func<IServiceProvider, Task<T>> act)
        {
            await using var scope = app.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<CurrentUser>().Use(CurrentUser.For(userId, email, tenantId));
            return await act(scope.ServiceProvider);
        }

        var results = new List<(string Name, double P50, double P95, double Max)>();
        async Task Measure(string name, Func<IServiceProvider, Task<bool>> query)
        {
            var ms = new List<double>();
            for (var i = 0; i < runs + 3; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var ok = await AsLargest(query);
                if (!ok) throw new InvalidOperationException($"{name} failed");
                if (i >= 3) ms.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            ms.Sort();
            results.Add((name, Pct(ms, 0.50), Pct(ms, 0.95), ms[^1]));
        }

        await Measure("overview (balance, today/month/last month, 30-day chart)", async sp => (await sp.GetRequiredService<UsageQueries>().GetOverviewAsync()).IsSuccess);
        await Measure("usage report, 30 days, all keys", async sp => (await sp.GetRequiredService<UsageQueries>().GetReportAsync(today.AddDays(-29), today, null)).IsSuccess);
        await Measure("usage report, 90 days, one key", async sp => (await sp.GetRequiredService<UsageQueries>().GetReportAsync(today.AddDays(-89), today, someKey)).IsSuccess);
        await Measure("bill check, this month", async sp => (await sp.GetRequiredService<UsageQueries>().GetBillAsync(today.Year, today.Month)).IsSuccess);
        await Measure("log page 1, last 7 days", async sp => (await sp.GetRequiredService<RequestLog>().PageAsync(new RequestLogFilter(now.AddDays(-7), now), null, 50)).Value?.Rows.Count == 50);
        await Measure("log page 1, 7 days + key", async sp => (await sp.GetRequiredService<RequestLog>().PageAsync(new RequestLogFilter(now.AddDays(-7), now, someKey), null, 50)).Value?.Rows.Count == 50);
        await Measure("log page 1, 30 days + model + streamed", async sp => (await sp.GetRequiredService<RequestLog>().PageAsync(new RequestLogFilter(now.AddDays(-30), now, Model: "qwen-max", Stream: true), null, 50)).Value?.Rows.Count == 50);
        await Measure("log page 1, 30 days + key + status Failed", async sp => (await sp.GetRequiredService<RequestLog>().PageAsync(new RequestLogFilter(now.AddDays(-30), now, someKey, Status: UsageStatus.Failed), null, 50)).IsSuccess);

        // The largest tenant's whole log as CSV, sampling the process while it streams.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var baseWorkingSet = process.WorkingSet64;
        var baseHeap = GC.GetTotalMemory(false);
        long peakWorkingSet = baseWorkingSet, peakHeap = baseHeap;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                process.Refresh();
                peakWorkingSet = Math.Max(peakWorkingSet, process.WorkingSet64);
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
                try { await Task.Delay(20, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var sink = new CountingStream();
        var exportClock = Stopwatch.StartNew();
        var exported = await AsLargest(sp => sp.GetRequiredService<UsageExport>().WriteCsvAsync(sink, new RequestLogFilter(now.AddDays(-100), now.AddMinutes(1)), c => c, CancellationToken.None));
        exportClock.Stop();
        await sampling.CancelAsync();
        await sampler;

        Console.WriteLine();
        Console.WriteLine($"largest tenant: {largest:N0} rows, 20 keys; {rows:N0} rows over {tenantCount:N0} tenants; {runs} runs each (after 3 warm-up runs)");
        Console.WriteLine($"{"query",-60} {"p50 ms",8} {"p95 ms",8} {"max ms",8}");
        foreach (var r in results) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Name,-60} {r.P50,8:F1} {r.P95,8:F1} {r.Max,8:F1}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"CSV export: {exported:N0} rows, {sink.Length / 1024d / 1024d:F0} MB in {exportClock.Elapsed.TotalSeconds:F1} s ({exported / exportClock.Elapsed.TotalSeconds:N0} rows/s); " +
            $"working set +{(peakWorkingSet - baseWorkingSet) / 1024d / 1024d:F0} MB (peak {peakWorkingSet / 1024d / 1024d:F0} MB), managed heap +{(peakHeap - baseHeap) / 1024d / 1024d:F0} MB"));

        var overviewOk = results.Take(4).All(r => r.P95 <= 100);
        var logOk = results.Skip(4).All(r => r.P95 <= 50);
        var memoryOk = peakWorkingSet - baseWorkingSet < 100L * 1024 * 1024 && exported == largest;
        Console.WriteLine($"targets: overview p95 ≤ 100 ms {(overviewOk ? "met" : "MISSED")}; log page p95 ≤ 50 ms {(logOk ? "met" : "MISSED")}; export memory < 100 MB {(memoryOk ? "met" : "MISSED")}");
        return overviewOk && logOk && memoryOk ? 0 : 1;
    }

    private static double Pct(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static async Task ExecAsync(NpgsqlConnection connection, string step, string sql)
    {
        var clock = Stopwatch.StartNew();
        Console.Write($"  {step}... ");
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
        Console.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Discards what is written, counting bytes: the export's output without a network or a disk in the way.</summary>
    private sealed class CountingStream : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Position;

        public override long Position { get; set; }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Position += count;

        public override void Write(ReadOnlySpan<byte> buffer) => Position += buffer.Length;

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Position += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }
}
