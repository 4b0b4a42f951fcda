using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Wallet;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Wallet;

public abstract class LedgerTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Fact]
    public async Task Concurrent_debits_never_overdraw_and_the_ledger_stays_a_chain()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync();
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(100))).IsSuccess);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => factory.AdjustAsync(tenantId, -Money.FromYuan(10)))));

        Assert.Equal(10, results.Count(r => r.IsSuccess));
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal(Ledger.InsufficientFunds, r.Error));
        Assert.Equal("0.00", (await client.WalletAsync()).Balance);
        Assert.Equal(11, (await factory.LedgerAsync(tenantId)).Count);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Concurrent_credits_all_land()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => factory.AdjustAsync(tenantId, Money.FromYuan(i + 1)))));
        Assert.All(results, r => Assert.True(r.IsSuccess && !r.Value!.AlreadyApplied));
        Assert.Equal("210.00", (await client.WalletAsync()).Balance);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task The_same_adjustment_submitted_twenty_times_at_once_posts_once()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync();
        var requestId = Guid.NewGuid();
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => factory.AdjustAsync(tenantId, Money.FromYuan(66), requestId, "goodwill"))));
        Assert.All(results, r => Assert.True(r.IsSuccess));
        Assert.Equal(1, results.Count(r => !r.Value!.AlreadyApplied));
        Assert.Single(results.Select(r => r.Value!.Entry.Id).Distinct());
        Assert.Equal("66.00", (await client.WalletAsync()).Balance);
        await factory.AssertLedgerInvariantAsync(tenantId);

        await using var db = await factory.DbAsync();
        var audit = await db.AuditEntries.IgnoreTenantFilter().Where(a => a.TenantId == tenantId && a.Action == "wallet.adjusted").ToListAsync();
        var entry = Assert.Single(audit);
        Assert.Contains("goodwill", entry.Summary);
        Assert.Equal(PortalFactory.AdminEmail, entry.Actor);
    }

    [Fact]
    public async Task Adjustments_need_a_memo_and_a_finance_operator()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync();
        var noMemo = await factory.AdjustAsync(tenantId, Money.FromYuan(5), memo: " ");
        Assert.IsType<ValidationError>(noMemo.Error);

        // A tenant Owner is no operator, whatever they try.
        await using var scope = factory.Scope();
        var owner = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(client.Email);
        scope.ServiceProvider.GetRequiredService<CurrentUser>().Use(CurrentUser.For(owner!.Id, owner.Email!, tenantId, OperatorRoles.PlatformFinance));
        var forged = await scope.ServiceProvider.GetRequiredService<PostAdjustment.Handler>().HandleAsync(new PostAdjustment.Command(tenantId, Money.FromYuan(1000), "free money", Guid.NewGuid()));
        Assert.Equal("Auth.Forbidden", forged.Error?.Code);
        Assert.Empty(await factory.LedgerAsync(tenantId));
    }

    [Fact]
    public async Task A_credit_limit_lets_the_balance_go_negative_but_never_below_it()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync();
        await factory.AdjustAsync(tenantId, Money.FromYuan(100));
        Assert.Equal(Ledger.InsufficientFunds, (await factory.AdjustAsync(tenantId, -Money.FromYuan(120))).Error);

        Assert.True((await SetCreditLimitAsync(tenantId, Money.FromYuan(50))).IsSuccess);
        var wallet = await client.WalletAsync();
        Assert.Equal("150.00", wallet.Available);
        Assert.Equal("50.00", wallet.CreditLimit);

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => factory.AdjustAsync(tenantId, -Money.FromYuan(40)))));
        Assert.Equal(3, results.Count(r => r.IsSuccess));
        Assert.Equal("-20.00", (await client.WalletAsync()).Balance);

        Assert.Equal(SetCreditLimit.BelowDebt, (await SetCreditLimitAsync(tenantId, Money.FromYuan(10))).Error);
        Assert.Equal("50.00", (await client.WalletAsync()).CreditLimit);
        await factory.AssertLedgerInvariantAsync(tenantId);

        await using var db = await factory.DbAsync();
        Assert.Contains(await db.AuditEntries.IgnoreTenantFilter().Where(a => a.TenantId == tenantId).Select(a => a.Action).ToListAsync(), a => a == "wallet.credit_limit_set");
    }

    [Fact]
    public async Task Ledger_rows_cannot_be_changed_even_with_raw_sql()
    {
        var (_, tenantId) = await factory.VerifiedTenantAsync();
        await factory.AdjustAsync(tenantId, Money.FromYuan(1));
        await using var db = await factory.DbAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("UPDATE ledger_entries SET amount_micro_yuan = 999000000 WHERE tenant_id = {0}", tenantId));
        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("DELETE FROM ledger_entries WHERE tenant_id = {0}", tenantId));
        // And the database refuses a wallet below its credit limit, whatever the code does.
        await Assert.ThrowsAnyAsync<Exception>(() => db.Database.ExecuteSqlRawAsync("UPDATE wallets SET balance_micro_yuan = -1 WHERE tenant_id = {0}", tenantId));
        Assert.Single(await factory.LedgerAsync(tenantId));
    }

    [Fact]
    public async Task The_invariant_job_raises_one_alert_and_mails_finance_when_a_balance_drifts()
    {
        var (_, tenantId) = await factory.VerifiedTenantAsync("漂移科技有限公司");
        await factory.AdjustAsync(tenantId, Money.FromYuan(10));
        var financeEmail = PortalClient.NewEmail("finance");
        await using (var scope = factory.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            var finance = new PortalUser { Id = Ids.New(), UserName = financeEmail, Email = financeEmail, EmailConfirmed = true, DisplayName = "Finance", CreatedAt = factory.Clock.GetUtcNow() };
            Assert.True((await users.CreateAsync(finance, "Finance-Pass-2026")).Succeeded);
            await users.AddToRoleAsync(finance, OperatorRoles.PlatformFinance);
        }

        await RunInvariantJobAsync();
        await using (var db = await factory.DbAsync())
        {
            Assert.False(await db.WalletInvariantAlerts.AnyAsync(a => a.TenantId == tenantId));
            // Someone changes a balance behind the ledger's back.
            await db.Database.ExecuteSqlRawAsync("UPDATE wallets SET balance_micro_yuan = balance_micro_yuan + 1 WHERE tenant_id = {0}", tenantId);
        }

        await RunInvariantJobAsync();
        await RunInvariantJobAsync(); // safe to run twice

        await using (var db = await factory.DbAsync())
        {
            var alert = Assert.Single(await db.WalletInvariantAlerts.Where(a => a.TenantId == tenantId).ToListAsync());
            Assert.Equal(Money.FromYuan(10).MicroYuan + 1, alert.BalanceMicroYuan);
            Assert.Equal(Money.FromYuan(10).MicroYuan, alert.ExpectedMicroYuan);
            Assert.Single(await db.AuditEntries.IgnoreTenantFilter().Where(a => a.TenantId == tenantId && a.Action == "wallet.invariant_broken").ToListAsync());
            Assert.Single(await db.OutboxMessages.Where(m => m.To == financeEmail && m.Kind == "LedgerInvariant").ToListAsync());
        }

        await using (var scope = await factory.OperatorScopeAsync())
        {
            var open = await scope.ServiceProvider.GetRequiredService<WalletQueries>().ListOpenAlertsAsync();
            var alert = Assert.Single(open, a => a.TenantId == tenantId);
            Assert.True((await scope.ServiceProvider.GetRequiredService<AcknowledgeInvariantAlert.Handler>().HandleAsync(new(alert.Id, "manual SQL by DBA, reversed"))).IsSuccess);
            Assert.DoesNotContain(await scope.ServiceProvider.GetRequiredService<WalletQueries>().ListOpenAlertsAsync(), a => a.TenantId == tenantId);
        }

        // The DBA reverses the manual change, as the acknowledgement says; the suite-end invariant check sees a clean wallet.
        await using (var db = await factory.DbAsync())
            await db.Database.ExecuteSqlRawAsync("UPDATE wallets SET balance_micro_yuan = balance_micro_yuan - 1 WHERE tenant_id = {0}", tenantId);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    private async Task<Result<Money>> SetCreditLimitAsync(Guid tenantId, Money limit)
    {
        await using var scope = await factory.OperatorScopeAsync();
        return await scope.ServiceProvider.GetRequiredService<SetCreditLimit.Handler>().HandleAsync(new SetCreditLimit.Command(tenantId, limit, "月结 agreement"));
    }

    private async Task RunInvariantJobAsync()
    {
        await using var scope = factory.Scope();
        await scope.ServiceProvider.GetRequiredService<LedgerInvariantJob>().RunAsync(CancellationToken.None);
    }
}

public sealed class LedgerTestsOnPostgres(PostgresPortalFactory factory) : LedgerTests<PostgresPortalFactory>(factory);

public sealed class LedgerTestsOnSqlite(SqlitePortalFactory factory) : LedgerTests<SqlitePortalFactory>(factory);
