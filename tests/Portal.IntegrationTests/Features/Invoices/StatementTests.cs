using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Invoices;
using Portal.Core.Features.Wallet;
using Portal.IntegrationTests.Features.Kyc;
using Portal.IntegrationTests.Infrastructure;
using UglyToad.PdfPig;

namespace Portal.IntegrationTests.Features.Invoices;

public abstract class StatementTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Fact]
    public async Task Statement_totals_equal_the_ledger_and_usage_and_each_closing_is_the_next_opening()
    {
        const string company = "对账单科技有限公司";
        var (client, tenantId) = await factory.VerifiedTenantAsync(company);
        var first = StatementMonths.Of(factory.Clock.GetUtcNow());
        // A second between movements, so that the month's last ledger entry is well defined.
        var tick = () => factory.Clock.Advance(TimeSpan.FromSeconds(1));
        await InvoiceArrange.TopUpByBankAsync(factory, client, "1000");
        tick();
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(20))).IsSuccess);
        tick();
        await InvoiceArrange.PostAsync(factory, tenantId, LedgerEntryKind.Refund, -Money.FromYuan(10));
        tick();
        await InvoiceArrange.PostAsync(factory, tenantId, LedgerEntryKind.PlanPurchase, -Money.FromYuan(50));
        tick();
        await InvoiceArrange.PostAsync(factory, tenantId, LedgerEntryKind.Reversal, -Money.FromFen(125));
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        await InvoiceArrange.UsageAsync(factory, tenantId, "deepseek-chat", 3, 30_000, 9_000, new Money(12_345_678), Money.FromYuan(2));
        await InvoiceArrange.UsageAsync(factory, tenantId, "qwen-max", 2, 4_000, 1_000, new Money(5_500_001), Money.Zero);
        var closingOfFirst = (await client.WalletAsync()).BalanceMicroYuan;

        factory.Clock.SetUtcNow(StatementMonths.End(first.Year, first.Month).AddHours(3));
        var second = StatementMonths.Of(factory.Clock.GetUtcNow());
        await client.LoginAsync();
        await InvoiceArrange.TopUpByBankAsync(factory, client, "2000");
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        await InvoiceArrange.UsageAsync(factory, tenantId, "deepseek-chat", 1, 100, 10, new Money(1_000_001), Money.Zero);
        var closingOfSecond = (await client.WalletAsync()).BalanceMicroYuan;
        factory.Clock.SetUtcNow(StatementMonths.End(second.Year, second.Month).AddHours(3));
        await client.LoginAsync();

        StatementDocument a, b;
        await using (var scope = factory.Scope())
        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            var generator = scope.ServiceProvider.GetRequiredService<StatementGenerator>();
            a = await generator.BuildAsync(db, tenantId, first.Year, first.Month, CancellationToken.None);
            b = await generator.BuildAsync(db, tenantId, second.Year, second.Month, CancellationToken.None);
        }

        a.EnsureBalanced();
        b.EnsureBalanced();
        Assert.Equal(Money.Zero, a.OpeningBalance);
        Assert.Equal((Money.FromYuan(1000), Money.FromYuan(10), Money.FromYuan(20) - Money.FromFen(125), Money.FromYuan(50)), (a.TopUps, a.Refunds, a.Adjustments, a.PlanPurchases));
        var deepseek = a.Usage.Single(u => u.Model == "deepseek-chat");
        Assert.Equal((3L, 30_000L, 9_000L, new Money(12_345_678), Money.FromYuan(2)), (deepseek.Requests, deepseek.InputTokens, deepseek.OutputTokens, deepseek.Cost, deepseek.PlanCreditUsed));
        Assert.Equal(new Money(5_500_001), a.Usage.Single(u => u.Model == "qwen-max").WalletCharged);
        Assert.Equal(new Money(closingOfFirst), a.ClosingBalance);
        Assert.Equal(a.ClosingBalance, b.OpeningBalance);
        Assert.Equal(new Money(closingOfSecond), b.ClosingBalance);
        Assert.Equal((Money.FromYuan(2000), Money.Zero, Money.Zero), (b.TopUps, b.Refunds, b.PlanPurchases));
        Assert.Equal(new Money(1_000_001), Assert.Single(b.Usage).Cost);

        // The same figures from the raw records: Σ ledger per kind and Σ usage in each China month.
        var ledger = await factory.LedgerAsync(tenantId);
        await using (var db = await factory.DbAsync())
        {
            var usage = await db.UsageRecords.IgnoreTenantFilter().Where(u => u.TenantId == tenantId).ToListAsync();
            foreach (var (doc, month) in new[] { (a, first), (b, second) })
            {
                bool In(DateTimeOffset at) => at >= StatementMonths.Start(month.Year, month.Month) && at < StatementMonths.End(month.Year, month.Month);
                var entries = ledger.Where(e => In(e.At)).ToList();
                var charged = usage.Where(u => In(u.At)).Sum(u => u.WalletChargedMicroYuan);
                Assert.Equal(entries.Where(e => e.Kind == LedgerEntryKind.TopUp).Sum(e => e.AmountMicroYuan), doc.TopUps.MicroYuan);
                Assert.Equal(doc.OpeningBalance.MicroYuan + entries.Sum(e => e.AmountMicroYuan) - charged, doc.ClosingBalance.MicroYuan);
                Assert.Equal(charged, doc.UsageCharged.MicroYuan);
                Assert.Equal(usage.Where(u => In(u.At)).Sum(u => u.CostMicroYuan), doc.UsageCost.MicroYuan);
                // The month's last ledger entry carries the wallet balance at that moment; only usage after it moved the balance further.
                var last = entries.MaxBy(e => e.At)!;
                var usageAfter = usage.Where(u => In(u.At) && u.At > last.At).Sum(u => u.WalletChargedMicroYuan);
                Assert.Equal(last.BalanceAfterMicroYuan - usageAfter, doc.ClosingBalance.MicroYuan);
            }
        }

        // The downloads show the same figures.
        var csv = Encoding.UTF8.GetString(await client.Http.GetByteArrayAsync($"/api/tenant/statements/{first.Year}/{first.Month}/csv"));
        Assert.Contains($"期初余额,,,,,,,,,0.00", csv);
        Assert.Contains($"期末余额,,,,,,,,,{StatementCsv.Yuan(a.ClosingBalance)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}", csv);
        Assert.Contains("qwen-max", csv);
        var pdf = await client.Http.GetByteArrayAsync($"/api/tenant/statements/{first.Year}/{first.Month}/pdf");
        using (var document = PdfDocument.Open(pdf))
        {
            var text = string.Concat(document.GetPages().Select(p => p.Text));
            Assert.Contains(company, text);
            Assert.Contains(a.ClosingBalance.ToDisplay(), text);
            Assert.Contains("deepseek-chat", text);
        }

        await using (var db = await factory.DbAsync())
        {
            var stored = await db.MonthlyStatements.IgnoreTenantFilter().SingleAsync(s => s.TenantId == tenantId && s.Year == first.Year && s.Month == first.Month);
            Assert.Equal((a.OpeningBalance.MicroYuan, a.ClosingBalance.MicroYuan), (stored.OpeningMicroYuan, stored.ClosingMicroYuan));
        }

        await using var check = factory.Scope();
        await using var context = await check.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var walletId = await context.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == tenantId).Select(w => w.Id).SingleAsync();
        Assert.True((await check.ServiceProvider.GetRequiredService<LedgerInvariant>().CheckAsync(walletId))!.Holds);
    }

    [Fact]
    public async Task Job_generates_last_months_statement_once_for_every_tenant_with_a_wallet()
    {
        var (payer, payerId) = await factory.VerifiedTenantAsync("月结任务甲科技有限公司");
        await InvoiceArrange.TopUpByBankAsync(factory, payer, "1000");
        var (other, otherId) = await factory.VerifiedTenantAsync("月结任务乙科技有限公司");
        await InvoiceArrange.TopUpByBankAsync(factory, other, "1500");
        var idle = await PortalClient.SignUpAsync(factory, "无钱包科技有限公司");
        var idleId = await factory.TenantOfAsync(idle.Email);
        var month = StatementMonths.Of(factory.Clock.GetUtcNow());
        factory.Clock.SetUtcNow(StatementMonths.End(month.Year, month.Month).AddHours(1));

        for (var run = 0; run < 2; run++)
        {
            await using var scope = factory.Scope();
            Assert.True(await scope.ServiceProvider.GetRequiredService<MonthlyStatementsJob>().RunAsync(CancellationToken.None) >= 2);
        }

        await using var db = await factory.DbAsync();
        var rows = await db.MonthlyStatements.IgnoreTenantFilter().Where(s => s.Year == month.Year && s.Month == month.Month).ToListAsync();
        var mine = rows.Where(s => s.TenantId == payerId || s.TenantId == otherId).ToList();
        Assert.Equal(2, mine.Count);
        Assert.DoesNotContain(rows, s => s.TenantId == idleId);
        Assert.Equal(Money.FromYuan(1500).MicroYuan, mine.Single(s => s.TenantId == otherId).ClosingMicroYuan);
        Assert.All(mine, s =>
        {
            Assert.True(File.Exists(Path.Combine(factory.StoragePath, s.PdfFileKey)));
            Assert.True(File.Exists(Path.Combine(factory.StoragePath, s.CsvFileKey)));
        });
    }

    [Fact]
    public async Task Statements_are_for_owners_and_finance_and_only_for_completed_months_of_the_tenant()
    {
        var (owner, _) = await factory.VerifiedTenantAsync("对账权限科技有限公司");
        await InvoiceArrange.TopUpByBankAsync(factory, owner, "1000");
        var developer = await KycArrange.InviteAsync(factory, owner, "Developer");
        var finance = await KycArrange.InviteAsync(factory, owner, "Finance");
        var month = StatementMonths.Of(factory.Clock.GetUtcNow());
        string Url((int Year, int Month) m, string format = "pdf") => $"/api/tenant/statements/{m.Year}/{m.Month}/{format}";

        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync(Url(month))).StatusCode);
        Assert.Empty(await owner.GetJsonAsync<List<object>>("/api/tenant/statements"));

        factory.Clock.SetUtcNow(StatementMonths.End(month.Year, month.Month).AddHours(5));
        foreach (var client in new[] { owner, developer, finance }) await client.LoginAsync();
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync(Url(month))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await finance.Http.GetAsync(Url(month, "csv"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await developer.Http.GetAsync(Url(month))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await developer.Http.GetAsync("/api/tenant/statements")).StatusCode);
        var before = month.Month == 1 ? (month.Year - 1, 12) : (month.Year, month.Month - 1);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync(Url(before))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync($"/api/tenant/statements/{month.Year}/13/pdf")).StatusCode);
        Assert.Single(await owner.GetJsonAsync<List<object>>("/api/tenant/statements"));
    }
}

public sealed class StatementTestsOnPostgres(PostgresPortalFactory factory) : StatementTests<PostgresPortalFactory>(factory);

public sealed class StatementTestsOnSqlite(SqlitePortalFactory factory) : StatementTests<SqlitePortalFactory>(factory);
