using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Usage;
using Portal.Core.Features.Wallet;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Usage;

public abstract class UsageTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    private sealed record LogRow(Guid Id, DateTimeOffset At, string RequestId, Guid ApiKeyId, string KeyName, string Model, string Status, bool Stream, long InputTokens,
        long OutputTokens, string Cost, long CostMicroYuan, long PlanCreditUsedMicroYuan, long WalletChargedMicroYuan, int LatencyMs, int? TimeToFirstTokenMs, bool Estimated);

    private sealed record LogPage(List<LogRow> Items, string? Next);

    private sealed record Totals(long Requests, long Errors, long InputTokens, long CachedInputTokens, long OutputTokens, string Cost, long CostMicroYuan,
        long PlanCreditUsedMicroYuan, long WalletChargedMicroYuan);

    private sealed record Breakdown(string Name, Guid? ApiKeyId, Totals Totals);

    private sealed record Bill(string Month, Totals Totals, List<Breakdown> ByModel, List<Breakdown> ByKey);

    private sealed record Overview(string Balance, string SpendToday, string SpendThisMonth, string SpendLastMonth, long RequestsToday, long ErrorsToday,
        long SpendTodayMicroYuan, long SpendThisMonthMicroYuan, long SpendLastMonthMicroYuan);

    /// <summary>
    /// Writes usage records with chosen timestamps, statuses and amounts (the settlement writer's path without the
    /// relay): what the log, export and bill tests need. The roll-ups are also checked after real relay requests.
    /// </summary>
    protected virtual UsageHelpers.UsageWriter Writer => factory.Writer();

    private async Task<(PortalClient Client, Guid TenantId)> TenantWithMoneyAsync(string name, long yuan = 10_000)
    {
        var client = await PortalClient.SignUpAsync(factory, name);
        var tenantId = await factory.TenantOfAsync(client.Email);
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(yuan))).IsSuccess);
        return (client, tenantId);
    }

    [Fact]
    public async Task Roll_ups_equal_the_raw_sums_after_many_concurrent_batches()
    {
        var tenants = new List<(Guid TenantId, Guid[] Keys)>();
        for (var t = 0; t < 3; t++)
        {
            var (_, tenantId) = await TenantWithMoneyAsync($"并发租户{t}");
            await factory.GrantPlanCreditAsync(tenantId, Money.FromYuan(100));
            tenants.Add((tenantId, [await factory.SeedApiKeyAsync(tenantId, "key-a"), await factory.SeedApiKeyAsync(tenantId, "key-b")]));
        }

        string[] models = ["gpt-4o", "gpt-4o-mini", "deepseek-chat"];
        Guid[] channels = [Guid.NewGuid(), Guid.NewGuid()];
        // Around a Beijing midnight, so batches straddle hours and days.
        var start = new DateTimeOffset(2026, 11, 27, 23, 30, 0, Beijing);
        var random = new Random(7);
        var batches = Enumerable.Range(0, 32).Select(b => (IReadOnlyList<UsageRecord>)Enumerable.Range(0, 40).Select(i =>
        {
            var (tenantId, keys) = tenants[random.Next(tenants.Count)];
            var status = random.Next(10) == 0 ? UsageStatus.Failed : UsageStatus.Succeeded;
            return UsageHelpers.Record(tenantId, keys[random.Next(2)], start.AddSeconds(random.Next(3600)), models[random.Next(3)],
                input: random.Next(1, 5000), output: random.Next(1, 2000), cost: random.Next(1, 50_000), planCredit: random.Next(3) == 0 ? random.Next(0, 1000) : 0,
                status: status, stream: random.Next(2) == 0, channelId: channels[random.Next(2)], latencyMs: random.Next(100, 5000));
        }).ToList()).ToList();

        await Task.WhenAll(batches.Select(batch => Task.Run(() => Writer(batch))));

        var raw = await AssertRollUpsEqualRawSumsAsync(tenants.Select(t => t.TenantId).ToList());
        Assert.Equal(32 * 40, raw.Count);
        Assert.Equal([20261127, 20261128], raw.Select(r => UsageBuckets.DayOf(r.At)).Distinct().Order().ToArray());
    }

    [Fact]
    public async Task Roll_ups_equal_the_raw_sums_after_many_concurrent_relay_requests()
    {
        const long input = 2_000_000, output = 8_000_000;
        string[] models =
        [
            await factory.ModelAsync($"roll-a-{Guid.NewGuid():N}"[..16], Portal.Core.Features.Catalog.ModelKind.Chat, input, output, new ChannelSpec("sim-a", Portal.Core.Features.Catalog.ChannelType.Simulator)),
            // One upstream that fails a fifth of the time: errors are counted, and cost nothing.
            await factory.ModelAsync($"roll-b-{Guid.NewGuid():N}"[..16], Portal.Core.Features.Catalog.ModelKind.Chat, input, output,
                new ChannelSpec("sim-b", Portal.Core.Features.Catalog.ChannelType.Simulator, SimulatorFailurePerMille: 200)),
        ];
        var tenants = new List<(Guid TenantId, string[] Secrets)>();
        for (var t = 0; t < 2; t++)
        {
            var (_, tenantId) = await factory.VerifiedTenantAsync($"中继汇总{t}科技有限公司");
            Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(10_000))).IsSuccess);
            // The first tenant's plan credit (¥0.005, about twenty requests) runs out part-way.
            if (t == 0) await factory.GrantPlanCreditAsync(tenantId, new Money(5_000));
            tenants.Add((tenantId, [(await factory.KeyAsync(tenantId)).Secret, (await factory.KeyAsync(tenantId)).Secret]));
        }

        var random = new Random(11);
        var calls = Enumerable.Range(0, 160).Select(i => (Tenant: tenants[i % 2], Secret: random.Next(2), Model: models[random.Next(2)], Stream: random.Next(2) == 0)).ToList();
        using var start = new ManualResetEventSlim();
        var requests = calls.Select(c => Task.Run(async () =>
        {
            using var http = factory.RelayClient(c.Tenant.Secrets[c.Secret]);
            start.Wait();
            var response = await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(c.Model, "Count the roll-ups", stream: c.Stream, maxTokens: 30)));
            await response.Content.ReadAsByteArrayAsync();
            return response.StatusCode;
        })).ToList();
        start.Set();
        var statuses = await Task.WhenAll(requests);
        await factory.SettleAsync();

        Assert.Contains(HttpStatusCode.OK, statuses);
        var raw = await AssertRollUpsEqualRawSumsAsync(tenants.Select(t => t.TenantId).ToList());
        Assert.Equal(statuses.Length, raw.Count);
        Assert.Contains(raw, r => r.Status == UsageStatus.Failed);
        var first = raw.Where(r => r.TenantId == tenants[0].TenantId).ToList();
        Assert.Equal((5_000L, true), (first.Sum(r => r.PlanCreditUsedMicroYuan), first.Sum(r => r.WalletChargedMicroYuan) > 0));
        foreach (var (tenantId, _) in tenants) await factory.AssertUsageInvariantAsync(tenantId);
    }

    /// <summary>Hourly, daily and channel roll-ups equal the sums of the raw records; every wallet paid what its records charged.</summary>
    private async Task<List<UsageRecord>> AssertRollUpsEqualRawSumsAsync(List<Guid> ids)
    {
        await using var db = await factory.DbAsync();
        var raw = await db.UsageRecords.IgnoreTenantFilter().AsNoTracking().Where(r => ids.Contains(r.TenantId)).ToListAsync();
        var channels = raw.Where(r => r.ChannelId != null).Select(r => r.ChannelId!.Value).Distinct().ToList();
        var hourly = await db.Set<UsageHourly>().IgnoreTenantFilter().AsNoTracking().Where(r => ids.Contains(r.TenantId)).ToListAsync();
        var daily = await db.Set<UsageDaily>().IgnoreTenantFilter().AsNoTracking().Where(r => ids.Contains(r.TenantId)).ToListAsync();
        var channelRows = await db.Set<ChannelUsageHourly>().AsNoTracking().Where(r => channels.Contains(r.ChannelId)).ToListAsync();

        static string Sums(IEnumerable<UsageRecord> g) =>
            $"{g.Count()}/{g.Count(r => r.Status == UsageStatus.Failed)}/{g.Sum(r => r.InputTokens)}/{g.Sum(r => r.CachedInputTokens)}/{g.Sum(r => r.OutputTokens)}/{g.Sum(r => r.CostMicroYuan)}/{g.Sum(r => r.PlanCreditUsedMicroYuan)}/{g.Sum(r => r.WalletChargedMicroYuan)}";
        static string RollupSums(UsageRollup r) =>
            $"{r.Requests}/{r.Errors}/{r.InputTokens}/{r.CachedInputTokens}/{r.OutputTokens}/{r.CostMicroYuan}/{r.PlanCreditUsedMicroYuan}/{r.WalletChargedMicroYuan}";

        var expectedHourly = raw.GroupBy(r => (r.TenantId, UsageBuckets.HourOf(r.At), r.ApiKeyId, r.Model)).ToDictionary(g => g.Key, Sums);
        Assert.Equal(expectedHourly, hourly.ToDictionary(r => (r.TenantId, r.Hour, r.ApiKeyId, r.Model), RollupSums));
        var expectedDaily = raw.GroupBy(r => (r.TenantId, UsageBuckets.DayOf(r.At), r.ApiKeyId, r.Model)).ToDictionary(g => g.Key, Sums);
        Assert.Equal(expectedDaily, daily.ToDictionary(r => (r.TenantId, r.Day, r.ApiKeyId, r.Model), RollupSums));
        var expectedChannels = raw.Where(r => r.ChannelId != null).GroupBy(r => (r.ChannelId!.Value, UsageBuckets.HourOf(r.At), r.Model))
            .ToDictionary(g => g.Key, g => $"{g.Count()}/{g.Count(r => r.Status == UsageStatus.Failed)}/{g.Sum(r => (long)r.LatencyMs)}/{g.Sum(r => (long)(r.TimeToFirstTokenMs ?? 0))}/{g.Count(r => r.TimeToFirstTokenMs != null)}");
        Assert.Equal(expectedChannels, channelRows.ToDictionary(r => (r.ChannelId, r.Hour, r.Model), r => $"{r.Requests}/{r.Errors}/{r.LatencyMsSum}/{r.TimeToFirstTokenMsSum}/{r.TimeToFirstTokenCount}"));

        // Every wallet paid exactly what its records charged.
        await using var scope = factory.Scope();
        var invariant = scope.ServiceProvider.GetRequiredService<LedgerInvariant>();
        foreach (var tenantId in ids)
        {
            var wallet = await db.Wallets.IgnoreTenantFilter().AsNoTracking().SingleAsync(w => w.TenantId == tenantId);
            Assert.True((await invariant.CheckAsync(wallet.Id))!.Holds);
            Assert.Equal(Money.FromYuan(10_000).MicroYuan - raw.Where(r => r.TenantId == tenantId).Sum(r => r.WalletChargedMicroYuan), wallet.BalanceMicroYuan);
        }

        return raw;
    }

    [Fact]
    public async Task A_request_at_23_59_59_and_one_at_00_00_00_Beijing_fall_on_different_days_and_months()
    {
        var (client, tenantId) = await TenantWithMoneyAsync("跨日科技有限公司");
        var key = await factory.SeedApiKeyAsync(tenantId, "生产");
        var lastSecond = new DateTimeOffset(2026, 11, 30, 23, 59, 59, Beijing);
        var midnight = new DateTimeOffset(2026, 12, 1, 0, 0, 0, Beijing);
        await Writer([UsageHelpers.Record(tenantId, key, lastSecond, cost: 1_000), UsageHelpers.Record(tenantId, key, midnight, cost: 2_000)]);

        await using var db = await factory.DbAsync();
        var daily = await db.Set<UsageDaily>().IgnoreTenantFilter().Where(d => d.TenantId == tenantId).OrderBy(d => d.Day).ToListAsync();
        Assert.Equal([(20261130, 1_000L), (20261201, 2_000L)], daily.Select(d => (d.Day, d.CostMicroYuan)).ToArray());
        var hourly = await db.Set<UsageHourly>().IgnoreTenantFilter().Where(d => d.TenantId == tenantId).OrderBy(d => d.Hour).Select(h => h.Hour).ToListAsync();
        Assert.Equal([2026113023, 2026120100], hourly);

        var november = await client.GetJsonAsync<Bill>("/api/tenant/usage/bill?month=2026-11");
        var december = await client.GetJsonAsync<Bill>("/api/tenant/usage/bill?month=2026-12");
        Assert.Equal((1, 1_000), (november.Totals.Requests, november.Totals.CostMicroYuan));
        Assert.Equal((1, 2_000), (december.Totals.Requests, december.Totals.CostMicroYuan));
    }

    [Fact]
    public async Task The_request_log_pages_by_keyset_newest_first_with_filters()
    {
        var (client, tenantId) = await TenantWithMoneyAsync("日志科技有限公司");
        var keyA = await factory.SeedApiKeyAsync(tenantId, "A");
        var keyB = await factory.SeedApiKeyAsync(tenantId, "B");
        var now = factory.Clock.GetUtcNow();
        // 130 records, several sharing the same instant (the Id breaks the tie).
        var records = Enumerable.Range(0, 130).Select(i => UsageHelpers.Record(tenantId, i % 3 == 0 ? keyB : keyA, now.AddSeconds(-(i / 2)),
            i % 5 == 0 ? "gpt-4o-mini" : "gpt-4o", status: i % 7 == 0 ? UsageStatus.Failed : UsageStatus.Succeeded, stream: i % 2 == 0)).ToList();
        await Writer(records);
        var range = $"from={Uri.EscapeDataString(now.AddHours(-1).ToString("O"))}&to={Uri.EscapeDataString(now.AddMinutes(1).ToString("O"))}";

        var seen = new List<LogRow>();
        string? next = null;
        var pages = 0;
        do
        {
            var page = await client.GetJsonAsync<LogPage>($"/api/tenant/usage/log?{range}&size=50" + (next is null ? "" : "&after=" + next));
            seen.AddRange(page.Items);
            next = page.Next;
            pages++;
        }
        while (next is not null);
        Assert.Equal(3, pages);
        Assert.Equal(130, seen.Select(r => r.Id).Distinct().Count());
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.At >= p.Second.At));

        var filtered = await client.GetJsonAsync<LogPage>($"/api/tenant/usage/log?{range}&key={keyB}&model=gpt-4o&status=Failed&stream=false&size=200");
        var expected = records.Where(r => r.ApiKeyId == keyB && r.Model == "gpt-4o" && r.Status == UsageStatus.Failed && !r.Stream).Select(r => r.Id).Order().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, filtered.Items.Select(r => r.Id).Order().ToList());
        Assert.All(filtered.Items, r => Assert.Equal("B", r.KeyName));

        // The detail of one record.
        var one = records[3];
        var detail = await client.GetJsonAsync<LogRow>($"/api/tenant/usage/log/{one.Id}");
        Assert.Equal((one.RequestId, one.CostMicroYuan, one.LatencyMs, one.TimeToFirstTokenMs), (detail.RequestId, detail.CostMicroYuan, detail.LatencyMs, detail.TimeToFirstTokenMs));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.Http.GetAsync("/api/tenant/usage/log?status=Nope")).StatusCode);
    }

    [Fact]
    public async Task Csv_export_quotes_commas_quotes_newlines_and_Chinese_behind_a_bom_and_json_matches()
    {
        var (client, tenantId) = await TenantWithMoneyAsync("导出科技有限公司");
        const string awkward = "生产, \"主\"密钥\n第二行";
        var key = await factory.SeedApiKeyAsync(tenantId, awkward);
        var formula = await factory.SeedApiKeyAsync(tenantId, "=HYPERLINK(\"x\")");
        var now = factory.Clock.GetUtcNow();
        await Writer([UsageHelpers.Record(tenantId, key, now.AddMinutes(-2), cost: 1_234_567), UsageHelpers.Record(tenantId, formula, now.AddMinutes(-1), stream: true)]);

        var response = await client.Http.GetAsync("/api/tenant/usage/export.csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition!.ToString());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var rows = ParseCsv(Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3));
        Assert.Equal(3, rows.Count);
        Assert.Equal(UsageExport.Columns.Length, rows[0].Count);
        Assert.All(rows, r => Assert.Equal(rows[0].Count, r.Count));
        Assert.Equal("时间（北京时间）", rows[0][0]);
        var keyColumn = Array.IndexOf(UsageExport.Columns, "Key name");
        var costColumn = Array.IndexOf(UsageExport.Columns, "Cost (¥)");
        Assert.Equal(awkward, rows[2][keyColumn]);
        Assert.Equal("1.234567", rows[2][costColumn]);
        Assert.Equal("'=HYPERLINK(\"x\")", rows[1][keyColumn]);
        // Values under Chinese headers are Chinese too: endpoint, status and yes/no.
        Assert.Equal("对话补全", rows[2][Array.IndexOf(UsageExport.Columns, "Endpoint")]);
        Assert.Equal("成功", rows[2][Array.IndexOf(UsageExport.Columns, "Status")]);
        Assert.Equal(("否", "是"), (rows[2][Array.IndexOf(UsageExport.Columns, "Streamed")], rows[1][Array.IndexOf(UsageExport.Columns, "Streamed")]));
        Assert.Contains("\"生产, \"\"主\"\"密钥\n第二行\"", Encoding.UTF8.GetString(bytes));

        var json = JsonDocument.Parse(await client.Http.GetStringAsync("/api/tenant/usage/export.json")).RootElement;
        Assert.Equal(2, json.GetArrayLength());
        Assert.Equal(awkward, json[1].GetProperty("keyName").GetString());
        Assert.Equal(1_234_567, json[1].GetProperty("costMicroYuan").GetInt64());
    }

    [Fact]
    public async Task The_bill_check_equals_the_sum_of_the_request_log_by_model_and_by_key()
    {
        var (client, tenantId) = await TenantWithMoneyAsync("核对科技有限公司");
        await factory.GrantPlanCreditAsync(tenantId, Money.FromYuan(5));
        Guid[] keys = [await factory.SeedApiKeyAsync(tenantId, "一号"), await factory.SeedApiKeyAsync(tenantId, "二号")];
        var month = ChinaTime.ToChina(factory.Clock.GetUtcNow());
        var first = new DateTimeOffset(month.Year, month.Month, 1, 0, 0, 0, Beijing);
        var random = new Random(3);
        var records = Enumerable.Range(0, 300).Select(i => UsageHelpers.Record(tenantId, keys[i % 2], first.AddMinutes(random.Next(60 * 24 * 27)),
            i % 3 == 0 ? "gpt-4o" : "qwen-max", input: random.Next(1, 9000), output: random.Next(1, 3000), cost: random.Next(1, 90_000), planCredit: i % 10 == 0 ? 500 : 0,
            status: i % 11 == 0 ? UsageStatus.Failed : UsageStatus.Succeeded)).ToList();
        // Outside the month: must not count.
        records.Add(UsageHelpers.Record(tenantId, keys[0], first.AddSeconds(-1)));
        foreach (var chunk in records.Chunk(50)) await Writer(chunk);

        var bill = await client.GetJsonAsync<Bill>($"/api/tenant/usage/bill?month={month:yyyy-MM}");
        var log = new List<LogRow>();
        string? next = null;
        var to = first.AddMonths(1);
        do
        {
            var page = await client.GetJsonAsync<LogPage>($"/api/tenant/usage/log?from={Uri.EscapeDataString(first.ToString("O"))}&to={Uri.EscapeDataString(to.ToString("O"))}&size=200" + (next is null ? "" : "&after=" + next));
            log.AddRange(page.Items);
            next = page.Next;
        }
        while (next is not null);

        Assert.Equal(300, log.Count);
        Assert.Equal((log.Count, log.Sum(r => r.InputTokens), log.Sum(r => r.OutputTokens), log.Sum(r => r.CostMicroYuan), log.Sum(r => r.PlanCreditUsedMicroYuan), log.Sum(r => r.WalletChargedMicroYuan)),
            (bill.Totals.Requests, bill.Totals.InputTokens, bill.Totals.OutputTokens, bill.Totals.CostMicroYuan, bill.Totals.PlanCreditUsedMicroYuan, bill.Totals.WalletChargedMicroYuan));
        Assert.Equal(log.GroupBy(r => r.Model).ToDictionary(g => g.Key, g => (g.LongCount(), g.Sum(r => r.CostMicroYuan))),
            bill.ByModel.ToDictionary(m => m.Name, m => (m.Totals.Requests, m.Totals.CostMicroYuan)));
        Assert.Equal(log.GroupBy(r => r.ApiKeyId).ToDictionary(g => g.Key, g => (g.LongCount(), g.Sum(r => r.CostMicroYuan))),
            bill.ByKey.ToDictionary(m => m.ApiKeyId!.Value, m => (m.Totals.Requests, m.Totals.CostMicroYuan)));

        var csv = await client.Http.GetByteArrayAsync($"/api/tenant/usage/bill.csv?month={month:yyyy-MM}");
        Assert.Equal([0xEF, 0xBB, 0xBF], csv[..3]);
        var rows = ParseCsv(Encoding.UTF8.GetString(csv, 3, csv.Length - 3));
        Assert.Equal(1 + bill.ByModel.Count + bill.ByKey.Count + 1, rows.Count);
        Assert.Equal(bill.Totals.Cost, rows[^1][6]);
        Assert.Contains(rows, r => r[1] == "一号");
    }

    [Fact]
    public async Task The_overview_shows_spend_today_this_month_and_last_month_and_todays_error_rate()
    {
        var (client, tenantId) = await TenantWithMoneyAsync("概览科技有限公司");
        var key = await factory.SeedApiKeyAsync(tenantId, "k");
        var now = factory.Clock.GetUtcNow();
        var today = ChinaTime.ToChina(now);
        var monthStart = new DateTimeOffset(today.Year, today.Month, 1, 0, 0, 0, Beijing);
        await Writer(
        [
            UsageHelpers.Record(tenantId, key, now.AddSeconds(-5), cost: 1_000_000),
            UsageHelpers.Record(tenantId, key, now.AddSeconds(-4), status: UsageStatus.Failed),
            UsageHelpers.Record(tenantId, key, monthStart, cost: 2_000_000),
            UsageHelpers.Record(tenantId, key, monthStart.AddSeconds(-1), cost: 4_000_000),
        ]);

        var overview = await client.GetJsonAsync<Overview>("/api/tenant/usage/overview");
        var todayIsFirst = today.Day == 1;
        Assert.Equal(todayIsFirst ? 3_000_000 : 1_000_000, overview.SpendTodayMicroYuan);
        Assert.Equal(3_000_000, overview.SpendThisMonthMicroYuan);
        Assert.Equal(4_000_000, overview.SpendLastMonthMicroYuan);
        Assert.Equal(todayIsFirst ? 3 : 2, overview.RequestsToday);
        Assert.Equal(1, overview.ErrorsToday);
        Assert.Equal("9993.00", overview.Balance);
    }

    [Fact]
    public async Task A_tenant_never_sees_another_tenants_usage()
    {
        var (owner, tenantId) = await TenantWithMoneyAsync("甲公司");
        var key = await factory.SeedApiKeyAsync(tenantId, "甲的密钥");
        var record = UsageHelpers.Record(tenantId, key, factory.Clock.GetUtcNow().AddMinutes(-1));
        await Writer([record]);
        var (other, _) = await TenantWithMoneyAsync("乙公司");

        Assert.Single((await owner.GetJsonAsync<LogPage>("/api/tenant/usage/log")).Items);
        Assert.Empty((await other.GetJsonAsync<LogPage>("/api/tenant/usage/log")).Items);
        Assert.Empty((await other.GetJsonAsync<LogPage>($"/api/tenant/usage/log?key={key}")).Items);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.GetAsync($"/api/tenant/usage/log/{record.Id}")).StatusCode);
        var csv = await other.Http.GetStringAsync("/api/tenant/usage/export.csv");
        Assert.Single(ParseCsv(csv.TrimStart('\uFEFF')));
        Assert.Equal(0, JsonDocument.Parse(await other.Http.GetStringAsync("/api/tenant/usage/export.json")).RootElement.GetArrayLength());
        Assert.Equal(0, (await other.GetJsonAsync<Overview>("/api/tenant/usage/overview")).SpendTodayMicroYuan);
        Assert.Equal(0, (await other.GetJsonAsync<Bill>("/api/tenant/usage/bill")).Totals.Requests);

        await using var scope = factory.Scope();
        var me = await factory.TenantOfAsync(other.Email);
        var user = await (await factory.DbAsync()).Users.SingleAsync(u => u.Email == other.Email);
        scope.ServiceProvider.GetRequiredService<Portal.Core.Features.Accounts.CurrentUser>().Use(Portal.Core.Features.Accounts.CurrentUser.For(user.Id, user.Email!, me));
        var queries = scope.ServiceProvider.GetRequiredService<UsageQueries>();
        var report = await queries.GetReportAsync(ChinaTime.Today(factory.Clock).AddDays(-30), ChinaTime.Today(factory.Clock).AddDays(1), key);
        Assert.Equal("ApiKey.NotFound", report.Error?.Code);
        var all = await queries.GetReportAsync(ChinaTime.Today(factory.Clock).AddDays(-30), ChinaTime.Today(factory.Clock).AddDays(1), null);
        Assert.True(all.Value!.DailySpendByModel.IsEmpty);
        Assert.Empty(all.Value.ByKey);

        // Signed out: no usage at all.
        using var anonymous = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.NotEqual(HttpStatusCode.OK, (await anonymous.GetAsync("/api/tenant/usage/export.csv")).StatusCode);
    }

    [Fact]
    public async Task A_viewer_reads_the_usage_of_its_tenant()
    {
        var (owner, tenantId) = await TenantWithMoneyAsync("只读科技有限公司");
        var key = await factory.SeedApiKeyAsync(tenantId, "k");
        await Writer([UsageHelpers.Record(tenantId, key, factory.Clock.GetUtcNow().AddMinutes(-1))]);
        var viewer = await factory.InviteMemberAsync(owner, "Viewer");
        Assert.Single((await viewer.GetJsonAsync<LogPage>("/api/tenant/usage/log")).Items);
        Assert.Equal(HttpStatusCode.OK, (await viewer.Http.GetAsync("/api/tenant/usage/export.csv")).StatusCode);
    }

    /// <summary>A strict RFC 4180 reader for the assertions (quoted fields, doubled quotes, CRLF records).</summary>
    internal static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { row.Add(field.ToString()); field.Clear(); }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else field.Append(c);
        }

        Assert.False(quoted, "unterminated quoted field");
        Assert.Equal(0, field.Length + row.Count);
        return rows;
    }
}

public sealed class UsageTestsOnPostgres(PostgresPortalFactory factory) : UsageTests<PostgresPortalFactory>(factory);

public sealed class UsageTestsOnSqlite(SqlitePortalFactory factory) : UsageTests<SqlitePortalFactory>(factory);
