using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Usage;
using Portal.Core.Features.Wallet;
using Portal.IntegrationTests.Infrastructure;
using Portal.Relay.Admission;
using Portal.Relay.Billing;
using Portal.Relay.Tokens;

namespace Portal.IntegrationTests.Features.Relay;

/// <summary>Admission and settlement under load: leases, key budgets, purchased plans, the expired-lease job, the ledger invariant.</summary>
public abstract class RelayMoneyTests<TFactory>(TFactory factory, FakeOpenAiUpstream upstream) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    private const long InputPrice = 2_000_000;
    private const long OutputPrice = 8_000_000;
    private const int MaxTokens = 40;
    private const string Question = "What is the relay?";

    private static readonly ModelPrices Prices = ModelPrices.WithoutCacheDiscount(new Money(InputPrice), new Money(OutputPrice));

    private async Task<(string Model, long Hold)> SimulatorModelAsync()
    {
        var model = await factory.ModelAsync($"sim-{Guid.NewGuid():N}"[..12], ModelKind.Chat, InputPrice, OutputPrice, new ChannelSpec("sim", ChannelType.Simulator));
        var prompt = TokenCounter.Shared.CountChatPrompt(System.Text.Encoding.UTF8.GetBytes(RelayArrange.ChatRequest(model, Question, maxTokens: MaxTokens)), TokenEncoding.O200kBase);
        return (model, Pricing.HoldFor(prompt, MaxTokens, Prices).MicroYuan);
    }

    private async Task<List<HttpStatusCode>> FireAsync(string secret, string model, int count)
    {
        using var http = factory.RelayClient(secret);
        var body = RelayArrange.ChatRequest(model, Question, maxTokens: MaxTokens);
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            start.Wait();
            var response = await http.PostAsync("/v1/chat/completions", RelayArrange.Json(body));
            await response.Content.ReadAsByteArrayAsync();
            return response.StatusCode;
        })).ToList();
        start.Set();
        return [.. await Task.WhenAll(tasks)];
    }

    [Fact]
    public async Task Five_hundred_concurrent_requests_against_a_balance_for_a_hundred_never_overspend()
    {
        var (model, hold) = await SimulatorModelAsync();
        var (_, tenantId) = await factory.VerifiedTenantAsync();
        var balance = 100 * hold;
        Assert.True((await factory.AdjustAsync(tenantId, new Money(balance))).IsSuccess);
        var (secret, _) = await factory.KeyAsync(tenantId);

        var statuses = await FireAsync(secret, model, 500);
        await factory.SettleAsync();

        var ok = statuses.Count(s => s == HttpStatusCode.OK);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"unexpected {s}"));
        Assert.True(ok >= 100, $"only {ok} succeeded although the balance covers 100 holds");
        var wallet = await factory.WalletRowAsync(tenantId);
        var usage = await factory.UsageAsync(tenantId);
        Assert.True(wallet.BalanceMicroYuan >= 0, $"balance went to {wallet.BalanceMicroYuan}");
        Assert.Equal(ok, usage.Count(u => u.Status == UsageStatus.Succeeded));
        Assert.Equal(usage.Count, usage.Select(u => u.RequestId).Distinct().Count());
        Assert.All(usage, u => Assert.Equal(Pricing.Cost(u.InputTokens, 0, u.OutputTokens, Prices).MicroYuan, u.CostMicroYuan));
        Assert.All(usage, u => Assert.False(u.Overdraft));
        Assert.Equal(balance - wallet.BalanceMicroYuan, usage.Sum(u => u.WalletChargedMicroYuan));
        await factory.AssertUsageInvariantAsync(tenantId);
        await factory.AssertReservedMatchesLeasesAsync(tenantId);
    }

    [Fact]
    public async Task Five_hundred_concurrent_requests_against_a_key_budget_for_a_hundred_never_overspend_it()
    {
        var (model, hold) = await SimulatorModelAsync();
        var (_, tenantId) = await factory.VerifiedTenantAsync();
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(1_000))).IsSuccess);
        var budget = 100 * hold;
        var (secret, keyId) = await factory.KeyAsync(tenantId, k => k.MonthlyBudgetMicroYuan = budget);

        var statuses = await FireAsync(secret, model, 500);
        await factory.SettleAsync();

        var ok = statuses.Count(s => s == HttpStatusCode.OK);
        Assert.True(ok >= 100, $"only {ok} succeeded although the budget covers 100 holds");
        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(ok, usage.Count);
        await using var db = await factory.DbAsync();
        var spend = await db.ApiKeySpends.IgnoreTenantFilter().SingleAsync(s => s.ApiKeyId == keyId);
        Assert.Equal(usage.Sum(u => u.CostMicroYuan), spend.SpentMicroYuan);
        Assert.True(spend.SpentMicroYuan <= budget, $"spent {spend.SpentMicroYuan} of a {budget} budget");
        Assert.Equal(0, spend.ReservedMicroYuan);
        // This replica's share of the budget holds went back to zero with them.
        Assert.Equal(0, await db.ApiKeyBudgetHolds.IgnoreTenantFilter().Where(h => h.ApiKeyId == keyId).SumAsync(h => h.ReservedMicroYuan));
        Assert.Equal(ok, spend.Requests);
        var wallet = await factory.WalletRowAsync(tenantId);
        Assert.Equal(Money.FromYuan(1_000).MicroYuan - wallet.BalanceMicroYuan, usage.Sum(u => u.WalletChargedMicroYuan));
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Key_budget_holds_of_a_dead_replica_are_released_by_the_job_and_this_replicas_are_kept()
    {
        const long budget = 10_000_000;
        var (_, tenantId) = await factory.VerifiedTenantAsync();
        var (_, keyId) = await factory.KeyAsync(tenantId, k => k.MonthlyBudgetMicroYuan = budget);
        var month = KeyBudgets.MonthOf(factory.Clock.GetUtcNow());
        var budgets = factory.Services.GetRequiredService<KeyBudgets>();

        // This replica holds ¥2 for a request in flight; a replica that died held ¥7 of the same budget.
        Assert.True(await budgets.TryHoldAsync(keyId, tenantId, month, 2_000_000, budget));
        await using (var db = await factory.DbAsync())
        {
            db.ApiKeyBudgetHolds.Add(new ApiKeyBudgetHold
            {
                ApiKeyId = keyId,
                Month = month,
                ReplicaId = "dead-replica",
                TenantId = tenantId,
                ReservedMicroYuan = 7_000_000,
                ExpiresAt = factory.Clock.GetUtcNow().AddMinutes(2),
            });
            await db.SaveChangesAsync();
            await db.ApiKeySpends.IgnoreTenantFilter().Where(s => s.ApiKeyId == keyId && s.Month == month)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.ReservedMicroYuan, x => x.ReservedMicroYuan + 7_000_000));
        }

        Assert.False(await budgets.TryHoldAsync(keyId, tenantId, month, 2_000_000, budget)); // ¥9 of ¥10 is held

        // Ten minutes pass; this replica renewed (its settlement loop does so with its leases), the dead one did not.
        factory.Clock.Advance(TimeSpan.FromMinutes(10));
        await factory.Services.GetRequiredService<WalletLeases>().RenewAsync(CancellationToken.None);
        await budgets.RenewAsync(CancellationToken.None);
        await using (var scope = factory.Scope())
        {
            var job = scope.ServiceProvider.GetRequiredService<ReleaseExpiredLeasesJob>();
            Assert.True(await job.RunAsync(CancellationToken.None) >= 1);
            await job.RunAsync(CancellationToken.None); // safe to run twice
        }

        await using (var db = await factory.DbAsync())
        {
            var holds = await db.ApiKeyBudgetHolds.IgnoreTenantFilter().Where(h => h.ApiKeyId == keyId).ToListAsync();
            Assert.Equal(2_000_000, Assert.Single(holds).ReservedMicroYuan);
            Assert.NotEqual("dead-replica", holds[0].ReplicaId);
            Assert.Equal(2_000_000, (await db.ApiKeySpends.IgnoreTenantFilter().SingleAsync(s => s.ApiKeyId == keyId)).ReservedMicroYuan);
        }

        // The freed ¥7 can be held again; giving every hold back leaves nothing reserved.
        Assert.True(await budgets.TryHoldAsync(keyId, tenantId, month, 8_000_000, budget));
        Assert.False(await budgets.TryHoldAsync(keyId, tenantId, month, 1, budget));
        await budgets.ReleaseAsync(keyId, month, 8_000_000);
        await budgets.ReleaseAsync(keyId, month, 2_000_000);
        await using (var db = await factory.DbAsync())
        {
            Assert.Equal(0, (await db.ApiKeySpends.IgnoreTenantFilter().SingleAsync(s => s.ApiKeyId == keyId)).ReservedMicroYuan);
            Assert.Equal(0, await db.ApiKeyBudgetHolds.IgnoreTenantFilter().Where(h => h.ApiKeyId == keyId).SumAsync(h => h.ReservedMicroYuan));
        }
    }

    [Fact]
    public async Task Plan_credit_is_used_before_the_balance()
    {
        var (model, _) = await SimulatorModelAsync();
        var (_, tenantId) = await factory.VerifiedTenantAsync();
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(10))).IsSuccess);
        await using (var db = await factory.DbAsync())
        {
            await db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == tenantId).ExecuteUpdateAsync(s => s
                .SetProperty(w => w.PlanCreditMicroYuan, 100)
                .SetProperty(w => w.PlanCreditExpiresAt, factory.Clock.GetUtcNow().AddDays(30)));
        }

        var (secret, _) = await factory.KeyAsync(tenantId);
        using var http = factory.RelayClient(secret);
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, Question, maxTokens: MaxTokens)))).StatusCode);
        await factory.SettleAsync();

        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(100, usage.Sum(u => u.PlanCreditUsedMicroYuan));
        Assert.Equal(usage.Sum(u => u.CostMicroYuan) - 100, usage.Sum(u => u.WalletChargedMicroYuan));
        Assert.All(usage, u => Assert.Equal(u.CostMicroYuan, u.PlanCreditUsedMicroYuan + u.WalletChargedMicroYuan));
        var wallet = await factory.WalletRowAsync(tenantId);
        Assert.Equal(0, wallet.PlanCreditMicroYuan);
        Assert.Equal(Money.FromYuan(10).MicroYuan - usage.Sum(u => u.WalletChargedMicroYuan), wallet.BalanceMicroYuan);
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    // A purchased plan through the relay: ¥3 a call (the fake upstream's 21 + 9 tokens at ¥100,000 per 1M), so where
    // the plan credit runs out inside a call is known exactly.
    private const long PlanCallPrice = 100_000_000_000;
    private static readonly long PlanCallCost = Pricing.Cost(FakeOpenAiUpstream.PromptTokens, 0, FakeOpenAiUpstream.CompletionTokens,
        ModelPrices.WithoutCacheDiscount(new Money(PlanCallPrice), new Money(PlanCallPrice))).MicroYuan;

    /// <summary>
    /// A verified tenant that topped up <paramref name="topUpYuan"/> through Alipay (the simulator) and bought, through the
    /// tenant API, a plan of <paramref name="creditYuan"/> plan credit an operator created for <paramref name="priceYuan"/>;
    /// a key, and a ¥3-a-call model served by the fake upstream.
    /// </summary>
    private async Task<(PortalClient Client, Guid TenantId, string Secret, string Model, long BalanceAfterPurchase)> PlanBuyerAsync(long topUpYuan, long priceYuan, long creditYuan)
    {
        Assert.Equal(3_000_000, PlanCallCost);
        var model = await factory.ModelAsync($"plan-{Guid.NewGuid():N}"[..13], ModelKind.Chat, PlanCallPrice, PlanCallPrice,
            new ChannelSpec("ok", ChannelType.OpenAICompatible, upstream.BaseUrl("ok")));
        var plan = await factory.CreatePlanAsync($"中继套餐{Guid.NewGuid():N}"[..12], priceYuan, creditYuan);
        var (client, tenantId) = await factory.VerifiedTenantAsync();

        var order = await client.StartTopUpAsync(topUpYuan.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await client.PayQrAsync(order);
        Assert.True(await factory.DeliverNotificationsAsync() >= 1);
        Assert.Equal(Money.FromYuan(topUpYuan).MicroYuan, (await client.WalletAsync()).BalanceMicroYuan);

        var bought = await (await client.BuyPlanAsync(plan.Id)).BoughtAsync();
        Assert.False(bought.AlreadyApplied);
        var wallet = await factory.WalletRowAsync(tenantId);
        Assert.Equal(Money.FromYuan(topUpYuan - priceYuan).MicroYuan, wallet.BalanceMicroYuan);
        Assert.Equal(Money.FromYuan(creditYuan).MicroYuan, wallet.PlanCreditMicroYuan);
        var granted = Assert.Single(await factory.CreditEventsAsync(tenantId));
        Assert.Equal(Money.FromYuan(creditYuan).MicroYuan, granted.AmountMicroYuan);

        var (secret, _) = await factory.KeyAsync(tenantId);
        return (client, tenantId, secret, model, wallet.BalanceMicroYuan);
    }

    /// <summary>After settlement and the idle lease's return: nothing stays reserved, and the ledger invariant holds.</summary>
    private async Task AssertSettledAndReleasedAsync(Guid tenantId)
    {
        await factory.SettleAsync();
        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        await factory.Services.GetRequiredService<WalletLeases>().ReleaseIdleAsync(all: false, CancellationToken.None);
        Assert.Equal(0, (await factory.WalletRowAsync(tenantId)).ReservedMicroYuan);
        await factory.AssertReservedMatchesLeasesAsync(tenantId);
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task A_purchased_plan_pays_for_relay_calls_until_its_credit_runs_out_mid_call_and_the_balance_pays_the_rest()
    {
        // ¥10 of plan credit: three ¥3 calls, then ¥1 of the fourth; the fourth's other ¥2 and the whole fifth come from the balance.
        var (client, tenantId, secret, model, balance) = await PlanBuyerAsync(topUpYuan: 100, priceYuan: 20, creditYuan: 10);
        using var http = factory.RelayClient(secret);
        for (var i = 0; i < 5; i++)
        {
            var response = await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 50)));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"call {i + 1}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        await factory.SettleAsync();

        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(5, usage.Count);
        Assert.All(usage, u =>
        {
            Assert.Equal(PlanCallCost, u.CostMicroYuan);
            Assert.Equal(u.CostMicroYuan, u.PlanCreditUsedMicroYuan + u.WalletChargedMicroYuan);
            Assert.False(u.Overdraft);
        });
        Assert.Equal([3_000_000, 3_000_000, 3_000_000, 1_000_000, 0], usage.Select(u => u.PlanCreditUsedMicroYuan).OrderDescending());
        Assert.Equal([0, 0, 0, 2_000_000, 3_000_000], usage.Select(u => u.WalletChargedMicroYuan).Order());
        var split = Assert.Single(usage, u => u.PlanCreditUsedMicroYuan > 0 && u.WalletChargedMicroYuan > 0);
        Assert.Equal((1_000_000, 2_000_000), (split.PlanCreditUsedMicroYuan, split.WalletChargedMicroYuan));

        var wallet = await factory.WalletRowAsync(tenantId);
        Assert.Equal(0, wallet.PlanCreditMicroYuan);
        Assert.Equal(balance - 5_000_000, wallet.BalanceMicroYuan);
        var plan = await client.PlanAsync();
        Assert.Equal(("0.00", "10.00"), (plan.CreditLeft, plan.CreditUsedThisPeriod));
        await AssertSettledAndReleasedAsync(tenantId);
    }

    [Fact]
    public async Task Forty_concurrent_calls_straddling_the_end_of_a_purchased_plans_credit_use_it_exactly_once()
    {
        // ¥50 of plan credit against forty ¥3 calls at once (¥120): 16 whole calls and ¥2 of a 17th from the plan, ¥70 from the balance.
        const int calls = 40;
        var (_, tenantId, secret, model, balance) = await PlanBuyerAsync(topUpYuan: 500, priceYuan: 60, creditYuan: 50);
        using var http = factory.RelayClient(secret);
        var body = RelayArrange.ChatRequest(model, maxTokens: 50);
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, calls).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            using var response = await http.PostAsync("/v1/chat/completions", RelayArrange.Json(body));
            await response.Content.ReadAsByteArrayAsync();
            return response.StatusCode;
        })).ToList();
        start.Set();
        Assert.All(await Task.WhenAll(tasks), s => Assert.Equal(HttpStatusCode.OK, s));
        await factory.SettleAsync();

        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(calls, usage.Count);
        Assert.All(usage, u =>
        {
            Assert.Equal(PlanCallCost, u.CostMicroYuan);
            Assert.Equal(u.CostMicroYuan, u.PlanCreditUsedMicroYuan + u.WalletChargedMicroYuan);
            Assert.True(u.PlanCreditUsedMicroYuan >= 0 && u.WalletChargedMicroYuan >= 0, $"negative part in {u.RequestId}");
            Assert.False(u.Overdraft);
        });
        var wallet = await factory.WalletRowAsync(tenantId);
        Assert.Equal(Money.FromYuan(50).MicroYuan, usage.Sum(u => u.PlanCreditUsedMicroYuan));
        Assert.Equal(0, wallet.PlanCreditMicroYuan);
        Assert.Equal(balance - wallet.BalanceMicroYuan, usage.Sum(u => u.WalletChargedMicroYuan));
        Assert.Equal(Money.FromYuan(70).MicroYuan, usage.Sum(u => u.WalletChargedMicroYuan));
        Assert.Equal(16, usage.Count(u => u.PlanCreditUsedMicroYuan == PlanCallCost));
        var split = Assert.Single(usage, u => u.PlanCreditUsedMicroYuan > 0 && u.WalletChargedMicroYuan > 0);
        Assert.Equal((2_000_000, 1_000_000), (split.PlanCreditUsedMicroYuan, split.WalletChargedMicroYuan));
        await AssertSettledAndReleasedAsync(tenantId);
    }

    [Fact]
    public async Task Plan_credit_that_expires_under_a_lease_pays_for_nothing_after_its_expiry()
    {
        // All the money is the plan's ¥10 (the balance paid for the plan). The first call's lease reserves all of it.
        var (client, tenantId, secret, model, balance) = await PlanBuyerAsync(topUpYuan: 20, priceYuan: 20, creditYuan: 10);
        Assert.Equal(0, balance);
        Assert.Equal(HttpStatusCode.OK, (await client.PostJsonAsync("/api/tenant/plan/auto-renew", new { autoRenew = false })).StatusCode);
        using var http = factory.RelayClient(secret);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 50)))).StatusCode);
        await factory.SettleAsync();
        Assert.Equal(7_000_000, (await factory.WalletRowAsync(tenantId)).ReservedMicroYuan);

        // The period ends unrenewed: the ¥7 still leased was plan credit and is gone, so nothing more is admitted from it.
        factory.Clock.Advance(TimeSpan.FromDays(32));
        for (var i = 0; i < 3; i++)
        {
            var response = await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 50)));
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Contains("insufficient_quota", await response.Content.ReadAsStringAsync());
        }

        await factory.SettleAsync();
        var usage = Assert.Single(await factory.UsageAsync(tenantId));
        Assert.Equal((PlanCallCost, 0L, false), (usage.PlanCreditUsedMicroYuan, usage.WalletChargedMicroYuan, usage.Overdraft));
        var wallet = await factory.WalletRowAsync(tenantId);
        Assert.Equal((0L, 0L), (wallet.BalanceMicroYuan, wallet.ReservedMicroYuan));
        await factory.AssertReservedMatchesLeasesAsync(tenantId);
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Expired_leases_of_dead_replicas_are_released_by_the_job_and_live_ones_are_kept()
    {
        var (model, _) = await SimulatorModelAsync();
        var (_, tenantId) = await factory.VerifiedTenantAsync();
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(100))).IsSuccess);
        var (secret, _) = await factory.KeyAsync(tenantId);
        Assert.Equal(HttpStatusCode.OK, (await factory.RelayClient(secret).PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, Question, maxTokens: MaxTokens)))).StatusCode);
        await factory.SettleAsync();

        // A replica that died holding ¥5 of the same wallet: its row and its part of Reserved, as it left them.
        var wallet = await factory.WalletRowAsync(tenantId);
        await using (var db = await factory.DbAsync())
        {
            var now = factory.Clock.GetUtcNow();
            db.WalletLeases.Add(new WalletLease
            {
                Id = Ids.New(),
                TenantId = tenantId,
                WalletId = wallet.Id,
                ReplicaId = "dead-replica",
                AmountMicroYuan = 5_000_000,
                CreatedAt = now,
                RenewedAt = now,
                ExpiresAt = now.AddMinutes(2),
            });
            await db.SaveChangesAsync();
            await db.Wallets.IgnoreTenantFilter().Where(w => w.Id == wallet.Id).ExecuteUpdateAsync(s => s.SetProperty(w => w.ReservedMicroYuan, w => w.ReservedMicroYuan + 5_000_000));
        }

        var reservedBefore = (await factory.WalletRowAsync(tenantId)).ReservedMicroYuan;
        await using (var scope = factory.Scope())
        {
            var job = scope.ServiceProvider.GetRequiredService<ReleaseExpiredLeasesJob>();
            Assert.Equal(0, await job.RunAsync(CancellationToken.None)); // nothing has expired yet

            // Ten minutes pass; this replica renewed its lease (its settlement loop does so every TTL / 4), the dead one did not.
            factory.Clock.Advance(TimeSpan.FromMinutes(10));
            await factory.Services.GetRequiredService<WalletLeases>().RenewAsync(CancellationToken.None);
            Assert.Equal(1, await job.RunAsync(CancellationToken.None));
            Assert.Equal(0, await job.RunAsync(CancellationToken.None)); // safe to run twice
        }

        // The dead replica's ¥5 is available again; what stays reserved is exactly this replica's live lease (if its
        // settlement loop has not returned it as idle meanwhile: the fake clock jumped ten minutes).
        await using (var db = await factory.DbAsync())
        {
            Assert.False(await db.WalletLeases.AnyAsync(l => l.ReplicaId == "dead-replica"));
            var live = await db.WalletLeases.Where(l => l.WalletId == wallet.Id).SumAsync(l => (long?)l.AmountMicroYuan) ?? 0;
            Assert.Equal(live, (await factory.WalletRowAsync(tenantId)).ReservedMicroYuan);
            Assert.True(reservedBefore - 5_000_000 >= live);
        }

        // The live replica keeps serving from its lease, and an idle lease goes back to the wallet.
        Assert.Equal(HttpStatusCode.OK, (await factory.RelayClient(secret).PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, Question, maxTokens: MaxTokens)))).StatusCode);
        await AssertSettledAndReleasedAsync(tenantId);
    }
}

public sealed class RelayMoneyTestsOnPostgres(PostgresPortalFactory factory, FakeOpenAiUpstream upstream)
    : RelayMoneyTests<PostgresPortalFactory>(factory, upstream), IClassFixture<FakeOpenAiUpstream>;

public sealed class RelayMoneyTestsOnSqlite(SqlitePortalFactory factory, FakeOpenAiUpstream upstream)
    : RelayMoneyTests<SqlitePortalFactory>(factory, upstream), IClassFixture<FakeOpenAiUpstream>;
