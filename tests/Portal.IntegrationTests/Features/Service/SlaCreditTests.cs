using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Invoices;
using Portal.Core.Features.Sla;
using Portal.Core.Features.Usage;
using Portal.Core.Features.Wallet;
using Portal.Core.Localization;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Service;

public abstract class SlaCreditTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    private static string NewModel() => $"sla-{Guid.NewGuid():N}"[..16];

    /// <summary>Moves the clock to 01:00 Beijing time on the 1st of the next month and returns that month.</summary>
    private (int Year, int Month) StartNextMonth()
    {
        var (year, month) = StatementMonths.Of(factory.Clock.GetUtcNow());
        factory.Clock.SetUtcNow(StatementMonths.End(year, month).AddHours(1));
        return StatementMonths.Of(factory.Clock.GetUtcNow());
    }

    /// <summary>02:00 Beijing time on the 2nd of the month after <paramref name="month"/>: when the job runs.</summary>
    private void MoveToRunDay((int Year, int Month) month) =>
        factory.Clock.SetUtcNow(StatementMonths.End(month.Year, month.Month).AddDays(1).AddHours(2));

    private static DateTimeOffset Day((int Year, int Month) month, int day) => StatementMonths.Start(month.Year, month.Month).AddDays(day - 1).AddHours(3);

    /// <summary><paramref name="served"/> requests of ¥1 each and <paramref name="failed"/> platform failures (502) of one model on one day.</summary>
    private async Task TrafficAsync(Guid tenantId, Guid keyId, string model, DateTimeOffset at, int served, int failed)
    {
        var batch = Enumerable.Range(0, served).Select(i => UsageHelpers.Record(tenantId, keyId, at.AddSeconds(i), model, cost: Money.FromYuan(1).MicroYuan))
            .Concat(Enumerable.Range(0, failed).Select(i => UsageHelpers.Record(tenantId, keyId, at.AddSeconds(served + i), model, status: UsageStatus.Failed)))
            .ToList();
        await factory.RecordUsageAsync(batch);
    }

    private async Task<(PortalClient Owner, Guid TenantId, Guid KeyId)> TenantAsync(string name)
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync(name);
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(1_000))).IsSuccess);
        return (client, tenantId, await factory.SeedApiKeyAsync(tenantId, "sla"));
    }

    private async Task SetPolicyAsync(Guid? planId, decimal target, int compensation, int cap)
    {
        await using var scope = await factory.OperatorScopeAsync();
        var saved = await scope.ServiceProvider.GetRequiredService<SaveSlaPolicy.Handler>().HandleAsync(new SaveSlaPolicy.Command(planId, target, compensation, cap));
        Assert.True(saved.IsSuccess, saved.Error?.Message);
    }

    private async Task<int> RunJobAsync()
    {
        await using var scope = factory.Scope();
        return await scope.ServiceProvider.GetRequiredService<SlaCreditJob>().RunAsync(CancellationToken.None);
    }

    private async Task<Result<SlaCredit>> HoldAsync(Guid tenantId, (int Year, int Month) month, bool hold, string? reason)
    {
        await using var scope = await factory.OperatorScopeAsync();
        return await scope.ServiceProvider.GetRequiredService<HoldSlaCredit.Handler>()
            .HandleAsync(new HoldSlaCredit.Command(tenantId, SlaMonths.Key(month.Year, month.Month), hold, reason));
    }

    private async Task<SlaCredit?> RowAsync(Guid tenantId, (int Year, int Month) month)
    {
        await using var db = await factory.DbAsync();
        var key = SlaMonths.Key(month.Year, month.Month);
        return await db.Set<SlaCredit>().IgnoreTenantFilter().AsNoTracking().SingleOrDefaultAsync(c => c.TenantId == tenantId && c.Month == key);
    }

    private async Task<List<LedgerEntry>> SlaEntriesAsync(Guid tenantId) =>
        (await factory.LedgerAsync(tenantId)).Where(e => e.Kind == LedgerEntryKind.SlaCredit).ToList();

    [Fact]
    public async Task A_breach_month_credits_exactly_the_rules_amount_once_per_tenant_under_many_concurrent_runs_and_the_statement_shows_it()
    {
        await SetPolicyAsync(null, 99.9m, 200, 100);
        var month = StartNextMonth();
        var flaky = NewModel();
        var steady = NewModel();
        var (owner, breached, breachedKey) = await TenantAsync("SLA 违约科技有限公司");
        var (_, healthy, healthyKey) = await TenantAsync("SLA 稳定科技有限公司");
        var (_, lucky, luckyKey) = await TenantAsync("SLA 错峰科技有限公司");
        // Day 3: 99 served (¥99 of fees) and 1 platform failure = 1 % failed = 0.24 h down; day 4: ¥50, nothing failed.
        await TrafficAsync(breached, breachedKey, flaky, Day(month, 3), 99, 1);
        await TrafficAsync(breached, breachedKey, flaky, Day(month, 4), 50, 0);
        // Same flaky model, but only on the good day: weighted by its own spend, this tenant saw 100 %.
        await TrafficAsync(lucky, luckyKey, flaky, Day(month, 4), 30, 0);
        await TrafficAsync(healthy, healthyKey, steady, Day(month, 3), 100, 0);
        var balanceBefore = (await factory.WalletRowAsync(breached)).BalanceMicroYuan;

        MoveToRunDay(month);
        var credited = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(RunJobAsync)));
        Assert.Equal(0, await RunJobAsync());
        Assert.True(credited.Sum() >= 1);

        // 200 % of the day's ¥99 per hour down × 0.24 h = ¥47.52 (under the cap of 100 % of ¥149).
        var expected = Money.FromFen(4752);
        var entry = Assert.Single(await SlaEntriesAsync(breached));
        Assert.Equal((expected.MicroYuan, $"sla:{breached}:{month.Year:0000}-{month.Month:00}"), (entry.AmountMicroYuan, entry.IdempotencyKey));
        Assert.Equal(balanceBefore + expected.MicroYuan, (await factory.WalletRowAsync(breached)).BalanceMicroYuan);
        // The memo is a template read in the reader's language.
        Assert.Equal("SLA credit for {0}: availability below the {1} target ({2})", System.Text.Json.JsonDocument.Parse(entry.Memo).RootElement.GetProperty("t").GetString());
        Assert.Contains(flaky, LocalizedText.English(entry.Memo));

        var row = (await RowAsync(breached, month))!;
        Assert.Equal((SlaCreditStatus.Credited, expected.MicroYuan, Money.FromYuan(149).MicroYuan), (row.Status, row.AmountMicroYuan, row.FeesMicroYuan));
        var model = Assert.Single(row.Models);
        Assert.Equal((flaky, 993_355, true), (model.Model, model.AvailabilityPpm, model.Breached));
        Assert.NotNull(row.NotifiedAt);

        // No breach, no credit: a healthy model, and a flaky model used only on its good day.
        foreach (var tenant in new[] { healthy, lucky })
        {
            Assert.Empty(await SlaEntriesAsync(tenant));
            Assert.Equal(SlaCreditStatus.NoBreach, (await RowAsync(tenant, month))!.Status);
        }

        Assert.Equal(1, await factory.EmailsAsync(owner.Email, "SlaCredit"));
        await factory.AssertUsageInvariantAsync(breached);
        await factory.AssertUsageInvariantAsync(healthy);

        // The statement of the month it was paid in lists it, and still adds up.
        var paidIn = StatementMonths.Of(factory.Clock.GetUtcNow());
        await using var scope = factory.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var statement = await scope.ServiceProvider.GetRequiredService<StatementGenerator>().BuildAsync(db, breached, paidIn.Year, paidIn.Month, CancellationToken.None);
        statement.EnsureBalanced();
        var line = Assert.Single(statement.ServiceCredits);
        Assert.Equal(($"SLA 补偿（{month.Year:0000}-{month.Month:00}）", expected), (line.Label, line.Amount));
        Assert.Equal(Money.Zero, statement.Adjustments);
        using var csv = new MemoryStream();
        StatementCsv.Write(statement, csv);
        Assert.Contains($"SLA 补偿（{month.Year:0000}-{month.Month:00}）,,,,,,,,47.52,", Encoding.UTF8.GetString(csv.ToArray()));
    }

    [Fact]
    public async Task A_plans_own_sla_applies_to_its_subscribers_and_the_cap_limits_the_credit()
    {
        await SetPolicyAsync(null, 99.9m, 200, 100);
        var month = StartNextMonth();
        var plan = await factory.CreatePlanAsync($"SLA 套餐 {Guid.NewGuid():N}"[..16], 100, 50);
        await SetPolicyAsync(plan.Id, 99.99m, 100, 10);
        var flaky = NewModel();
        var (owner, tenantId, keyId) = await TenantAsync("SLA 套餐科技有限公司");
        await (await owner.BuyPlanAsync(plan.Id)).BoughtAsync();
        await TrafficAsync(tenantId, keyId, flaky, Day(month, 5), 99, 1);
        await TrafficAsync(tenantId, keyId, flaky, Day(month, 6), 50, 0);

        MoveToRunDay(month);
        await RunJobAsync();

        // 100 % × ¥99 × 0.24 h = ¥23.76, capped at 10 % of the month's ¥149 = ¥14.90.
        var row = (await RowAsync(tenantId, month))!;
        Assert.Equal((plan.Id.ToString("N"), 999_900, Money.FromFen(1490).MicroYuan), (row.Scope, row.TargetPpm, row.AmountMicroYuan));
        Assert.Equal(Money.FromFen(1490).MicroYuan, Assert.Single(await SlaEntriesAsync(tenantId)).AmountMicroYuan);
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task A_held_credit_is_not_paid_by_the_run_and_releasing_it_pays_it_once()
    {
        await SetPolicyAsync(null, 99.9m, 200, 100);
        var month = StartNextMonth();
        var flaky = NewModel();
        var (owner, tenantId, keyId) = await TenantAsync("SLA 暂缓科技有限公司");
        await TrafficAsync(tenantId, keyId, flaky, Day(month, 7), 99, 1);

        // Not before the month is over, and not without a reason.
        Assert.Equal("Sla.MonthNotOver", (await HoldAsync(tenantId, month, true, "核查中")).Error?.Code);
        factory.Clock.SetUtcNow(StatementMonths.End(month.Year, month.Month).AddHours(2)); // the 1st: the month is over, the run has not happened
        Assert.IsType<ValidationError>((await HoldAsync(tenantId, month, true, " ")).Error);

        var held = await HoldAsync(tenantId, month, true, "疑似刷量，核查中");
        Assert.True(held.IsSuccess, held.Error?.Message);
        Assert.Equal((SlaCreditStatus.Held, Money.FromFen(4752).MicroYuan), (held.Value!.Status, held.Value.AmountMicroYuan));

        MoveToRunDay(month);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(RunJobAsync)));
        Assert.Empty(await SlaEntriesAsync(tenantId));
        Assert.Equal((SlaCreditStatus.Held, "疑似刷量，核查中"), ((await RowAsync(tenantId, month))!.Status, (await RowAsync(tenantId, month))!.HoldReason));
        Assert.Equal(0, await factory.EmailsAsync(owner.Email, "SlaCredit"));

        // Released twice at once: paid once.
        var releases = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => HoldAsync(tenantId, month, false, null))));
        Assert.Single(releases, r => r.IsSuccess);
        Assert.All(releases.Where(r => !r.IsSuccess), r => Assert.Equal("Sla.NotHeld", r.Error?.Code));
        Assert.Equal(Money.FromFen(4752).MicroYuan, Assert.Single(await SlaEntriesAsync(tenantId)).AmountMicroYuan);
        Assert.Equal(SlaCreditStatus.Credited, (await RowAsync(tenantId, month))!.Status);
        Assert.Equal("Sla.AlreadyCredited", (await HoldAsync(tenantId, month, true, "太晚了")).Error?.Code);
        await RunJobAsync();
        Assert.Single(await SlaEntriesAsync(tenantId));
        Assert.Equal(1, await factory.EmailsAsync(owner.Email, "SlaCredit"));

        await using var db = await factory.DbAsync();
        var audit = await db.AuditEntries.IgnoreTenantFilter().Where(a => a.TenantId == tenantId && a.Action.StartsWith("sla.")).Select(a => new { a.Action, a.Summary }).ToListAsync();
        Assert.Contains(audit, a => a.Action == "sla.credit_held" && a.Summary.Contains("疑似刷量", StringComparison.Ordinal));
        Assert.Contains(audit, a => a.Action == "sla.credit_released");
        Assert.Single(audit, a => a.Action == "sla.credited");
        await factory.AssertUsageInvariantAsync(tenantId);
    }
}

public sealed class SlaCreditTestsOnPostgres(PostgresPortalFactory factory) : SlaCreditTests<PostgresPortalFactory>(factory);

public sealed class SlaCreditTestsOnSqlite(SqlitePortalFactory factory) : SlaCreditTests<SqlitePortalFactory>(factory);
