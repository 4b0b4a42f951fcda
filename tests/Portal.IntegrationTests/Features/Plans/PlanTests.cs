using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Plans;
using Portal.Core.Features.Tenants;
using Portal.Core.Features.Wallet;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Plans;

public abstract class PlanTests<TFactory> : IClassFixture<TFactory> where TFactory : PortalFactory
{
    private readonly TFactory factory;

    protected PlanTests(TFactory factory)
    {
        this.factory = factory;
        // Whole seconds, like the instants the portal stores (periods start on a whole second).
        var now = factory.Clock.GetUtcNow();
        factory.Clock.SetUtcNow(new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddSeconds(1));
    }

    private static readonly Money Basic = Money.FromYuan(3000);
    private static readonly Money BasicCredit = Money.FromYuan(3900);

    [Fact]
    public async Task Purchase_with_too_little_balance_is_refused_and_changes_nothing()
    {
        var plan = await factory.CreatePlanAsync("余额不足套餐", 3000, 3900);
        var (client, tenantId) = await factory.VerifiedTenantAsync("余额不足科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(2999))).IsSuccess);

        var response = await client.BuyPlanAsync(plan.Id);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(PlanErrors.InsufficientBalance.Code, (await response.ProblemAsync()).Code);
        Assert.Single(await factory.LedgerAsync(tenantId));
        Assert.Empty(await factory.SubscriptionsAsync(tenantId));
        Assert.Empty(await factory.CreditEventsAsync(tenantId));
        var wallet = await factory.WalletRowAsync(tenantId);
        Assert.Equal(Money.FromYuan(2999).MicroYuan, wallet.BalanceMicroYuan);
        Assert.Equal(0, wallet.PlanCreditMicroYuan);
        Assert.Null(wallet.PlanCreditExpiresAt);
        Assert.Null((await client.PlanAsync()).SubscriptionId);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task The_monthly_settlement_credit_line_does_not_pay_for_a_plan()
    {
        var plan = await factory.CreatePlanAsync("授信套餐", 3000, 3900);
        var (client, tenantId) = await factory.VerifiedTenantAsync("授信科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(1000))).IsSuccess);
        await using (var scope = await factory.OperatorScopeAsync())
        {
            var set = await scope.ServiceProvider.GetRequiredService<SetCreditLimit.Handler>().HandleAsync(new SetCreditLimit.Command(tenantId, Money.FromYuan(50_000), "月结客户"));
            Assert.True(set.IsSuccess, set.Error?.Message);
        }

        var response = await client.BuyPlanAsync(plan.Id);
        Assert.Equal(PlanErrors.InsufficientBalance.Code, (await response.ProblemAsync()).Code);
        Assert.Empty(await factory.SubscriptionsAsync(tenantId));
    }

    [Fact]
    public async Task Purchase_pays_from_the_balance_and_grants_credit_until_the_same_day_next_month()
    {
        var plan = await factory.CreatePlanAsync("购买套餐", 3000, 3900);
        var (client, tenantId) = await factory.VerifiedTenantAsync("购买套餐科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(5000))).IsSuccess);
        var requestId = Guid.NewGuid();
        var now = factory.Clock.GetUtcNow();

        var bought = await (await client.BuyPlanAsync(plan.Id, requestId)).BoughtAsync();

        var end = PlanCalendar.MonthsAfter(now, 1);
        Assert.Equal(requestId, bought.SubscriptionId);
        Assert.Equal(end, bought.PeriodEndAt);
        var purchase = Assert.Single(await factory.LedgerAsync(tenantId), e => e.Kind == LedgerEntryKind.PlanPurchase);
        Assert.Equal(-Basic.MicroYuan, purchase.AmountMicroYuan);
        Assert.Equal(PlanLedgerKeys.Period(requestId, 1), purchase.IdempotencyKey);
        Assert.Equal(Money.FromYuan(2000).MicroYuan, purchase.BalanceAfterMicroYuan);

        var subscription = Assert.Single(await factory.SubscriptionsAsync(tenantId));
        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
        Assert.True(subscription.AutoRenew);
        Assert.Equal(end, subscription.CurrentPeriodEndAt);
        var wallet = await factory.WalletRowAsync(tenantId);
        Assert.Equal(BasicCredit.MicroYuan, wallet.PlanCreditMicroYuan);
        Assert.Equal(end, wallet.PlanCreditExpiresAt);
        Assert.Equal(Money.FromYuan(2000) + BasicCredit, wallet.Available(now));
        var granted = Assert.Single(await factory.CreditEventsAsync(tenantId));
        Assert.Equal((PlanCreditEventKind.Granted, BasicCredit.MicroYuan, (DateTimeOffset?)end), (granted.Kind, granted.AmountMicroYuan, granted.ExpiresAt));

        var state = await client.PlanAsync();
        Assert.Equal("购买套餐", state.PlanName);
        Assert.Equal("3900.00", state.CreditLeft);
        Assert.Equal("0.00", state.CreditUsedThisPeriod);
        Assert.Equal(end, state.PeriodEndAt);

        await using var db = await factory.DbAsync();
        Assert.True(await db.AuditEntries.IgnoreTenantFilter().AnyAsync(a => a.TenantId == tenantId && a.Action == "plans.subscribed"));
        Assert.True(await db.AuditEntries.IgnoreTenantFilter().AnyAsync(a => a.TenantId == tenantId && a.Action == "plans.purchased"));
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task A_repeated_submit_of_the_same_purchase_buys_once()
    {
        var plan = await factory.CreatePlanAsync("重复提交套餐", 3000, 3900);
        var (client, tenantId) = await factory.VerifiedTenantAsync("重复提交科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(10_000))).IsSuccess);
        var requestId = Guid.NewGuid();

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => client.BuyPlanAsync(plan.Id, requestId))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(await factory.LedgerAsync(tenantId), e => e.Kind == LedgerEntryKind.PlanPurchase);
        Assert.Single(await factory.SubscriptionsAsync(tenantId));
        Assert.Equal(Money.FromYuan(7000).MicroYuan, (await factory.WalletRowAsync(tenantId)).BalanceMicroYuan);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Concurrent_purchases_buy_only_what_the_balance_covers()
    {
        var plan = await factory.CreatePlanAsync("并发购买套餐", 3000, 3900);
        var (client, tenantId) = await factory.VerifiedTenantAsync("并发购买科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(7000))).IsSuccess);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => client.BuyPlanAsync(plan.Id))));

        Assert.Equal(2, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
            Assert.Equal(PlanErrors.InsufficientBalance.Code, (await refused.ProblemAsync()).Code);
        Assert.Equal(2, (await factory.LedgerAsync(tenantId)).Count(e => e.Kind == LedgerEntryKind.PlanPurchase));
        var subscriptions = await factory.SubscriptionsAsync(tenantId);
        Assert.Equal(2, subscriptions.Count);
        Assert.Single(subscriptions, s => s.Status == SubscriptionStatus.Active);
        Assert.Single(subscriptions, s => s.Status == SubscriptionStatus.Replaced);
        var wallet = await factory.WalletRowAsync(tenantId);
        Assert.Equal(Money.FromYuan(1000).MicroYuan, wallet.BalanceMicroYuan);
        // The first plan's credit was carried over when the second replaced it: nothing was lost or doubled.
        Assert.Equal(BasicCredit.MicroYuan, wallet.PlanCreditMicroYuan);
        Assert.Equal(BasicCredit.MicroYuan, wallet.CarryoverPlanCreditMicroYuan);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Only_verified_tenants_and_paying_roles_can_buy()
    {
        var plan = await factory.CreatePlanAsync("权限套餐", 3000, 3900);
        var unverified = await PortalClient.SignUpAsync(factory, "未认证套餐科技有限公司");
        var refused = await unverified.BuyPlanAsync(plan.Id);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("Kyc.NotVerified", (await refused.ProblemAsync()).Code);

        var (owner, tenantId) = await factory.VerifiedTenantAsync("角色套餐科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(5000))).IsSuccess);
        var developer = await factory.InviteMemberAsync(owner, "Developer");
        Assert.Equal(HttpStatusCode.Forbidden, (await developer.BuyPlanAsync(plan.Id)).StatusCode);
        var finance = await factory.InviteMemberAsync(owner, "Finance");
        await (await finance.BuyPlanAsync(plan.Id)).BoughtAsync();
        // Every member sees the plan on the overview.
        Assert.Equal("权限套餐", (await developer.PlanAsync()).PlanName);
    }

    [Fact]
    public async Task Archived_plans_are_not_sold_but_keep_renewing_for_subscribers()
    {
        var plan = await factory.CreatePlanAsync("归档套餐", 3000, 3900);
        var (client, tenantId) = await factory.VerifiedTenantAsync("归档套餐科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(7000))).IsSuccess);
        var bought = await (await client.BuyPlanAsync(plan.Id)).BoughtAsync();
        await using (var scope = await factory.OperatorScopeAsync())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<ArchivePlan.Handler>().HandleAsync(new ArchivePlan.Command(plan.Id, true))).IsSuccess);
            Assert.DoesNotContain(await scope.ServiceProvider.GetRequiredService<PlanQueries>().ListCatalogueAsync(), o => o.Id == plan.Id);
        }

        var (other, otherTenant) = await factory.VerifiedTenantAsync("晚来一步科技有限公司");
        Assert.True((await factory.AdjustAsync(otherTenant, Money.FromYuan(5000))).IsSuccess);
        Assert.Equal(PlanErrors.NotOnSale.Code, (await (await other.BuyPlanAsync(plan.Id)).ProblemAsync()).Code);

        factory.Clock.SetUtcNow(bought.PeriodEndAt);
        await factory.RunRenewalsAsync();
        var subscription = Assert.Single(await factory.SubscriptionsAsync(tenantId));
        Assert.Equal((SubscriptionStatus.Active, 2), (subscription.Status, subscription.CurrentPeriodNo));
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Changing_plan_mid_period_keeps_the_old_credit_until_its_own_expiry_then_records_it_expired()
    {
        var basic = await factory.CreatePlanAsync("换档基础", 3000, 3900);
        var standard = await factory.CreatePlanAsync("换档标准", 10_000, 14_000);
        var (client, tenantId) = await factory.VerifiedTenantAsync("换档科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(15_000))).IsSuccess);
        var first = await (await client.BuyPlanAsync(basic.Id)).BoughtAsync();
        Assert.Equal(Money.FromYuan(900), await factory.UsePlanCreditAsync(tenantId, Money.FromYuan(900)));

        factory.Clock.Advance(TimeSpan.FromDays(10));
        await client.LoginAsync();
        var second = await (await client.BuyPlanAsync(standard.Id)).BoughtAsync();

        Assert.Equal("3000.00", second.CarriedOver);
        Assert.Equal(first.PeriodEndAt, second.CarryoverExpiresAt);
        Assert.Equal(PlanCalendar.MonthsAfter(factory.Clock.GetUtcNow(), 1), second.PeriodEndAt);
        var wallet = await factory.WalletRowAsync(tenantId);
        Assert.Equal((Money.FromYuan(14_000).MicroYuan, (DateTimeOffset?)second.PeriodEndAt), (wallet.PlanCreditMicroYuan, wallet.PlanCreditExpiresAt));
        Assert.Equal((Money.FromYuan(3000).MicroYuan, (DateTimeOffset?)first.PeriodEndAt), (wallet.CarryoverPlanCreditMicroYuan, wallet.CarryoverPlanCreditExpiresAt));
        var state = await client.PlanAsync();
        Assert.Equal(("换档标准", "17000.00", "3000.00"), (state.PlanName, state.CreditLeft, state.CarryoverLeft));

        // Usage draws the carry-over (it expires first) before the new plan's credit.
        await factory.UsePlanCreditAsync(tenantId, Money.FromYuan(500));
        wallet = await factory.WalletRowAsync(tenantId);
        Assert.Equal((Money.FromYuan(2500).MicroYuan, Money.FromYuan(14_000).MicroYuan), (wallet.CarryoverPlanCreditMicroYuan, wallet.PlanCreditMicroYuan));

        factory.Clock.SetUtcNow(first.PeriodEndAt.AddMinutes(1));
        await factory.RunRenewalsAsync();
        await factory.RunRenewalsAsync();
        var expired = Assert.Single(await factory.CreditEventsAsync(tenantId), e => e.Kind == PlanCreditEventKind.Expired);
        Assert.Equal((Money.FromYuan(2500).MicroYuan, (DateTimeOffset?)first.PeriodEndAt, (Guid?)first.SubscriptionId), (expired.AmountMicroYuan, expired.ExpiresAt, expired.SubscriptionId));
        wallet = await factory.WalletRowAsync(tenantId);
        Assert.Equal((0L, Money.FromYuan(14_000).MicroYuan), (wallet.CarryoverPlanCreditMicroYuan, wallet.PlanCreditMicroYuan));

        await using var scope = factory.Scope();
        var statement = await scope.ServiceProvider.GetRequiredService<PlanQueries>()
            .ExpiredCreditAsync(tenantId, first.PeriodEndAt.AddDays(-1), first.PeriodEndAt.AddDays(1));
        var line = Assert.Single(statement);
        Assert.Equal((Money.FromYuan(2500), "换档基础"), (line.Amount, line.PlanName));
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Renewal_at_period_end_charges_the_balance_grants_fresh_credit_and_the_old_credit_expires()
    {
        var plan = await factory.CreatePlanAsync("续费套餐", 3000, 3900);
        var (client, tenantId) = await factory.VerifiedTenantAsync("续费科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(6500))).IsSuccess);
        var start = factory.Clock.GetUtcNow();
        var bought = await (await client.BuyPlanAsync(plan.Id)).BoughtAsync();
        await factory.UsePlanCreditAsync(tenantId, Money.FromYuan(900));

        factory.Clock.SetUtcNow(bought.PeriodEndAt - TimeSpan.FromMinutes(30));
        await factory.RunRenewalsAsync();
        Assert.Single(await factory.LedgerAsync(tenantId), e => e.Kind == LedgerEntryKind.PlanPurchase);

        // Renewed in the last minutes before the end, so the fresh credit is there when the old expires; a second run does nothing.
        factory.Clock.SetUtcNow(bought.PeriodEndAt - TimeSpan.FromMinutes(2));
        await factory.RunRenewalsAsync();
        await factory.RunRenewalsAsync();
        Assert.Equal(2, (await factory.LedgerAsync(tenantId)).Count(e => e.Kind == LedgerEntryKind.PlanPurchase));

        var secondEnd = PlanCalendar.MonthsAfter(start, 2);
        var subscription = Assert.Single(await factory.SubscriptionsAsync(tenantId));
        Assert.Equal((SubscriptionStatus.Active, 2, bought.PeriodEndAt, secondEnd), (subscription.Status, subscription.CurrentPeriodNo, subscription.CurrentPeriodStartAt, subscription.CurrentPeriodEndAt));
        var renewal = Assert.Single(await factory.LedgerAsync(tenantId), e => e.IdempotencyKey == PlanLedgerKeys.Period(subscription.Id, 2));
        Assert.Equal(-Basic.MicroYuan, renewal.AmountMicroYuan);
        var wallet = await factory.WalletRowAsync(tenantId);
        Assert.Equal(Money.FromYuan(500).MicroYuan, wallet.BalanceMicroYuan);
        Assert.Equal((BasicCredit.MicroYuan, (DateTimeOffset?)secondEnd), (wallet.PlanCreditMicroYuan, wallet.PlanCreditExpiresAt));
        // The old period's 3,000 left stays usable (drawn first) until its own end, then expires.
        Assert.Equal((Money.FromYuan(3000).MicroYuan, (DateTimeOffset?)bought.PeriodEndAt), (wallet.CarryoverPlanCreditMicroYuan, wallet.CarryoverPlanCreditExpiresAt));
        Assert.Equal(1, await factory.EmailsAsync(client.Email, "PlanRenewed"));

        factory.Clock.SetUtcNow(bought.PeriodEndAt.AddMinutes(1));
        await factory.RunRenewalsAsync();
        await factory.RunRenewalsAsync();
        var expired = Assert.Single(await factory.CreditEventsAsync(tenantId), e => e.Kind == PlanCreditEventKind.Expired);
        Assert.Equal((Money.FromYuan(3000).MicroYuan, (DateTimeOffset?)bought.PeriodEndAt), (expired.AmountMicroYuan, expired.ExpiresAt));
        await client.LoginAsync();
        var state = await client.PlanAsync();
        Assert.Equal((2, "3900.00", "0.00"), (state.PeriodNo, state.CreditLeft, state.CreditUsedThisPeriod));
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Renewals_running_at_once_charge_one_period_once()
    {
        var plan = await factory.CreatePlanAsync("并发续费套餐", 3000, 3900);
        var (client, tenantId) = await factory.VerifiedTenantAsync("并发续费科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(20_000))).IsSuccess);
        var bought = await (await client.BuyPlanAsync(plan.Id)).BoughtAsync();
        factory.Clock.SetUtcNow(bought.PeriodEndAt);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            await using var scope = factory.Scope();
            return await scope.ServiceProvider.GetRequiredService<PlanRenewals>().ProcessAsync(bought.SubscriptionId);
        })));

        Assert.Single(outcomes, o => o == RenewalOutcome.Renewed);
        Assert.Equal(2, (await factory.LedgerAsync(tenantId)).Count(e => e.Kind == LedgerEntryKind.PlanPurchase));
        Assert.Equal(2, (await factory.CreditEventsAsync(tenantId)).Count(e => e.Kind == PlanCreditEventKind.Granted));
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task A_short_balance_lapses_the_plan_at_period_end_and_emails_the_owner()
    {
        var plan = await factory.CreatePlanAsync("断供套餐", 3000, 3900);
        var (client, tenantId) = await factory.VerifiedTenantAsync("断供科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(3500))).IsSuccess);
        var bought = await (await client.BuyPlanAsync(plan.Id)).BoughtAsync();

        // Before the end the renewal waits for a top-up; the plan is still active.
        factory.Clock.SetUtcNow(bought.PeriodEndAt - TimeSpan.FromMinutes(3));
        await factory.RunRenewalsAsync();
        Assert.Equal(SubscriptionStatus.Active, Assert.Single(await factory.SubscriptionsAsync(tenantId)).Status);

        factory.Clock.SetUtcNow(bought.PeriodEndAt);
        await factory.RunRenewalsAsync();
        await factory.RunRenewalsAsync();

        var subscription = Assert.Single(await factory.SubscriptionsAsync(tenantId));
        Assert.Equal(SubscriptionStatus.Lapsed, subscription.Status);
        Assert.Single(await factory.LedgerAsync(tenantId), e => e.Kind == LedgerEntryKind.PlanPurchase);
        var wallet = await factory.WalletRowAsync(tenantId);
        Assert.Equal((Money.FromYuan(500).MicroYuan, 0L, 0L), (wallet.BalanceMicroYuan, wallet.PlanCreditMicroYuan, wallet.CarryoverPlanCreditMicroYuan));
        var expired = Assert.Single(await factory.CreditEventsAsync(tenantId), e => e.Kind == PlanCreditEventKind.Expired);
        Assert.Equal(BasicCredit.MicroYuan, expired.AmountMicroYuan);
        Assert.Equal(1, await factory.EmailsAsync(client.Email, "PlanLapsed"));
        await client.LoginAsync();
        Assert.Null((await client.PlanAsync()).SubscriptionId);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task With_auto_renew_off_the_plan_ends_without_a_charge()
    {
        var plan = await factory.CreatePlanAsync("不续费套餐", 3000, 3900);
        var (client, tenantId) = await factory.VerifiedTenantAsync("不续费科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(9000))).IsSuccess);
        var bought = await (await client.BuyPlanAsync(plan.Id)).BoughtAsync();
        var off = await client.PostJsonAsync("/api/tenant/plan/auto-renew", new { autoRenew = false });
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        Assert.False((await client.PlanAsync()).AutoRenew);

        factory.Clock.SetUtcNow(bought.PeriodEndAt);
        await factory.RunRenewalsAsync();

        Assert.Equal(SubscriptionStatus.Ended, Assert.Single(await factory.SubscriptionsAsync(tenantId)).Status);
        Assert.Single(await factory.LedgerAsync(tenantId), e => e.Kind == LedgerEntryKind.PlanPurchase);
        Assert.Equal(1, await factory.EmailsAsync(client.Email, "PlanEnded"));
        Assert.Equal(0, (await factory.WalletRowAsync(tenantId)).PlanCreditMicroYuan);
    }

    [Fact]
    public async Task The_renewal_reminder_goes_out_once_three_days_before_the_end()
    {
        var plan = await factory.CreatePlanAsync("提醒套餐", 3000, 3900);
        var (client, tenantId) = await factory.VerifiedTenantAsync("提醒科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(4000))).IsSuccess);
        var bought = await (await client.BuyPlanAsync(plan.Id)).BoughtAsync();

        factory.Clock.SetUtcNow(bought.PeriodEndAt - TimeSpan.FromDays(4));
        await factory.RunRemindersAsync();
        Assert.Equal(0, await factory.EmailsAsync(client.Email, "PlanReminder"));

        factory.Clock.SetUtcNow(bought.PeriodEndAt - TimeSpan.FromDays(2.5));
        await factory.RunRemindersAsync();
        await factory.RunRemindersAsync();
        factory.Clock.Advance(TimeSpan.FromDays(1));
        await factory.RunRemindersAsync();
        Assert.Equal(1, await factory.EmailsAsync(client.Email, "PlanReminder"));
        await using var db = await factory.DbAsync();
        var reminder = await db.OutboxMessages.SingleAsync(m => m.To == client.Email && m.Kind == "PlanReminder");
        // The balance (¥1,000) is short of the price: the reminder asks for a top-up.
        Assert.Contains("充值", reminder.Subject + reminder.TextBody);
    }

    [Fact]
    public async Task Seed_demo_creates_the_two_demo_plans_once()
    {
        await using (var scope = factory.Scope()) await scope.ServiceProvider.GetRequiredService<Portal.Core.Features.Demo.DemoSeeder>().SeedAsync();
        await using (var scope = factory.Scope()) await scope.ServiceProvider.GetRequiredService<Portal.Core.Features.Demo.DemoSeeder>().SeedAsync();

        await using var query = factory.Scope();
        var catalogue = await query.ServiceProvider.GetRequiredService<PlanQueries>().ListCatalogueAsync();
        var basic = Assert.Single(catalogue, o => o.Name == "基础套餐");
        var standard = Assert.Single(catalogue, o => o.Name == "标准套餐");
        Assert.Equal((Money.FromYuan(3000), Money.FromYuan(3900), 23.0m), (basic.Price, basic.Credit, basic.SavingPercent));
        Assert.Equal((Money.FromYuan(10_000), Money.FromYuan(14_000), 28.5m), (standard.Price, standard.Credit, standard.SavingPercent));
    }

    [Fact]
    public async Task A_period_starting_on_31_January_ends_on_the_last_day_of_February()
    {
        var plan = await factory.CreatePlanAsync("月末套餐", 3000, 3900);
        var now = ChinaTime.ToChina(factory.Clock.GetUtcNow());
        var year = now.Month == 1 && now.Day < 31 ? now.Year : now.Year + 1;
        var jan31 = new DateTimeOffset(year, 1, 31, 10, 0, 0, TimeSpan.FromHours(8));
        factory.Clock.SetUtcNow(jan31.ToUniversalTime());
        var (client, tenantId) = await factory.VerifiedTenantAsync("月末科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(9000))).IsSuccess);

        var bought = await (await client.BuyPlanAsync(plan.Id)).BoughtAsync();

        var lastOfFebruary = DateTime.IsLeapYear(year) ? 29 : 28;
        Assert.Equal(new DateTimeOffset(year, 2, lastOfFebruary, 10, 0, 0, TimeSpan.FromHours(8)), bought.PeriodEndAt);
        factory.Clock.SetUtcNow(bought.PeriodEndAt);
        await factory.RunRenewalsAsync();
        // Periods count from the anchor: the next one ends on 31 March, not on the 28th.
        var subscription = Assert.Single(await factory.SubscriptionsAsync(tenantId));
        Assert.Equal(new DateTimeOffset(year, 3, 31, 10, 0, 0, TimeSpan.FromHours(8)), subscription.CurrentPeriodEndAt);
    }
}

public sealed class PlanTestsOnPostgres(PostgresPortalFactory factory) : PlanTests<PostgresPortalFactory>(factory);

public sealed class PlanTestsOnSqlite(SqlitePortalFactory factory) : PlanTests<SqlitePortalFactory>(factory);
