using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Discounts;
using Portal.Core.Features.Invoices;
using Portal.Core.Features.Wallet;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Service;

public abstract class VolumeRebateTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    /// <summary>Moves the clock to 01:00 Beijing time on the 1st of the next month and returns that month.</summary>
    private (int Year, int Month) StartNextMonth()
    {
        var (year, month) = StatementMonths.Of(factory.Clock.GetUtcNow());
        factory.Clock.SetUtcNow(StatementMonths.End(year, month).AddHours(1));
        return StatementMonths.Of(factory.Clock.GetUtcNow());
    }

    /// <summary>00:30 Beijing time on the 1st of the month after <paramref name="month"/>: when the job runs.</summary>
    private void MoveToRunTime((int Year, int Month) month) => factory.Clock.SetUtcNow(StatementMonths.End(month.Year, month.Month).AddMinutes(30));

    private async Task SetTiersAsync(bool planCreditCounts)
    {
        await using var scope = await factory.OperatorScopeAsync();
        var saved = await scope.ServiceProvider.GetRequiredService<SaveVolumeDiscounts.Handler>().HandleAsync(new SaveVolumeDiscounts.Command(
            [new SaveVolumeDiscounts.Tier(Money.FromYuan(50_000), 15), new SaveVolumeDiscounts.Tier(Money.FromYuan(10_000), 10)], planCreditCounts));
        Assert.True(saved.IsSuccess, saved.Error?.Message);
    }

    private async Task<(PortalClient Owner, Guid TenantId)> SpenderAsync(string name, (int Year, int Month) month, Money cost, Money planCredit)
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync(name);
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(60_000))).IsSuccess);
        if (planCredit > Money.Zero) await factory.GrantPlanCreditAsync(tenantId, planCredit);
        var keyId = await factory.SeedApiKeyAsync(tenantId, "rebate");
        // Two requests on two days, the plan credit used by the first.
        var at = StatementMonths.Start(month.Year, month.Month).AddDays(2);
        var first = cost.MicroYuan / 2;
        await factory.RecordUsageAsync(
        [
            UsageHelpers.Record(tenantId, keyId, at, "deepseek-chat", cost: first, planCredit: planCredit.MicroYuan),
            UsageHelpers.Record(tenantId, keyId, at.AddDays(1), "qwen-max", cost: cost.MicroYuan - first),
        ]);
        return (client, tenantId);
    }

    private async Task<int> RunJobAsync()
    {
        await using var scope = factory.Scope();
        return await scope.ServiceProvider.GetRequiredService<VolumeRebateJob>().RunAsync(CancellationToken.None);
    }

    private async Task<List<LedgerEntry>> RebatesAsync(Guid tenantId) =>
        (await factory.LedgerAsync(tenantId)).Where(e => e.Kind == LedgerEntryKind.VolumeRebate).ToList();

    private async Task<DiscountProgress?> ProgressAsync(PortalClient who)
    {
        await using var scope = await factory.MemberScopeAsync(who);
        var progress = await scope.ServiceProvider.GetRequiredService<VolumeDiscountQueries>().GetMyProgressAsync();
        Assert.True(progress.IsSuccess);
        return progress.Value;
    }

    [Fact]
    public async Task Tier_edges_decide_the_rebate_and_many_concurrent_runs_credit_each_tenant_once()
    {
        await SetTiersAsync(planCreditCounts: false);
        var month = StartNextMonth();
        var (_, below) = await SpenderAsync("返利边界下科技有限公司", month, Money.FromFen(999_999), Money.Zero);
        var (_, at) = await SpenderAsync("返利边界上科技有限公司", month, Money.FromYuan(10_000), Money.Zero);
        var (_, top) = await SpenderAsync("返利高档科技有限公司", month, Money.FromYuan(50_000) + Money.FromFen(7), Money.Zero);

        MoveToRunTime(month);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(RunJobAsync)));
        Assert.Equal(0, await RunJobAsync());

        Assert.Empty(await RebatesAsync(below));
        var tenPercent = Assert.Single(await RebatesAsync(at));
        Assert.Equal((Money.FromYuan(1_000).MicroYuan, $"rebate:{at}:{month.Year:0000}-{month.Month:00}"), (tenPercent.AmountMicroYuan, tenPercent.IdempotencyKey));
        // 15 % of ¥50,000.07 = ¥7,500.0105, rounded down to the fen.
        Assert.Equal(Money.FromFen(750_001).MicroYuan, Assert.Single(await RebatesAsync(top)).AmountMicroYuan);
        foreach (var tenant in new[] { below, at, top }) await factory.AssertUsageInvariantAsync(tenant);

        // On the statement of the month it was paid in, as 用量返利 for the month it is for.
        var paidIn = StatementMonths.Of(factory.Clock.GetUtcNow());
        await using var scope = factory.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var statement = await scope.ServiceProvider.GetRequiredService<StatementGenerator>().BuildAsync(db, at, paidIn.Year, paidIn.Month, CancellationToken.None);
        statement.EnsureBalanced();
        Assert.Equal(($"用量返利（{month.Year:0000}-{month.Month:00}）", Money.FromYuan(1_000)), (Assert.Single(statement.ServiceCredits).Label, statement.ServiceCreditsTotal));
        using var csv = new MemoryStream();
        StatementCsv.Write(statement, csv);
        Assert.Contains($"用量返利（{month.Year:0000}-{month.Month:00}）,,,,,,,,1000.00,", Encoding.UTF8.GetString(csv.ToArray()));
    }

    [Fact]
    public async Task Plan_credit_usage_counts_only_when_the_operator_says_so()
    {
        // Month one, plan credit does not count: ¥10,200 of usage of which ¥2,000 from plan credit is ¥8,200 counted.
        await SetTiersAsync(planCreditCounts: false);
        var first = StartNextMonth();
        var (owner, excluded) = await SpenderAsync("套餐额度不计科技有限公司", first, Money.FromYuan(10_200), Money.FromYuan(2_000));
        var progress = (await ProgressAsync(owner))!;
        Assert.Equal((Money.FromYuan(8_200), Money.FromYuan(1_800), 1_000, "9"), (progress.Spent, progress.ToNext, progress.Next!.RateBasisPoints, progress.Next.ZheText));
        Assert.Null(progress.Current);
        MoveToRunTime(first);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(RunJobAsync)));
        Assert.Empty(await RebatesAsync(excluded));

        // Month two, plan credit counts: the same usage is ¥10,200 counted, 10 % back.
        await SetTiersAsync(planCreditCounts: true);
        var second = StartNextMonth();
        var (other, included) = await SpenderAsync("套餐额度计入科技有限公司", second, Money.FromYuan(10_200), Money.FromYuan(2_000));
        progress = (await ProgressAsync(other))!;
        Assert.Equal((Money.FromYuan(10_200), 1_000, Money.FromYuan(1_020), 1_500), (progress.Spent, progress.Current!.RateBasisPoints, progress.Rebate, progress.Next!.RateBasisPoints));
        MoveToRunTime(second);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(RunJobAsync)));
        Assert.Equal(Money.FromYuan(1_020).MicroYuan, Assert.Single(await RebatesAsync(included)).AmountMicroYuan);
        Assert.Empty(await RebatesAsync(excluded));
        await factory.AssertUsageInvariantAsync(included);
        await factory.AssertUsageInvariantAsync(excluded);
    }

    [Fact]
    public async Task Tiers_are_validated_and_only_platform_admins_change_them()
    {
        await using var scope = await factory.OperatorScopeAsync();
        var save = scope.ServiceProvider.GetRequiredService<SaveVolumeDiscounts.Handler>();
        Assert.IsType<ValidationError>((await save.HandleAsync(new SaveVolumeDiscounts.Command([new(Money.FromYuan(10_000), 60)], false))).Error);
        Assert.IsType<ValidationError>((await save.HandleAsync(new SaveVolumeDiscounts.Command([new(Money.FromYuan(10_000), 10), new(Money.FromYuan(50_000), 5)], false))).Error);
        Assert.IsType<ValidationError>((await save.HandleAsync(new SaveVolumeDiscounts.Command([new(new Money(1), 10)], false))).Error);

        var (client, _) = await factory.VerifiedTenantAsync("返利越权科技有限公司");
        await using var member = await factory.MemberScopeAsync(client);
        var refused = await member.ServiceProvider.GetRequiredService<SaveVolumeDiscounts.Handler>()
            .HandleAsync(new SaveVolumeDiscounts.Command([new(Money.FromYuan(1), 50)], true));
        Assert.Equal("Auth.Forbidden", refused.Error?.Code);
    }
}

public sealed class VolumeRebateTestsOnPostgres(PostgresPortalFactory factory) : VolumeRebateTests<PostgresPortalFactory>(factory);

public sealed class VolumeRebateTestsOnSqlite(SqlitePortalFactory factory) : VolumeRebateTests<SqlitePortalFactory>(factory);
