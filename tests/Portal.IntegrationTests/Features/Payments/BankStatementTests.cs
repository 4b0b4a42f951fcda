using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Payments.BankTransfer;
using Portal.IntegrationTests.Infrastructure;
using static Portal.IntegrationTests.Infrastructure.BankStatementHelpers;

namespace Portal.IntegrationTests.Features.Payments;

public abstract class BankStatementTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    private static string Id() => "TX" + Guid.NewGuid().ToString("N")[..16].ToUpperInvariant();

    private static string Messy(string code) => $"转账 {code[..4].ToLowerInvariant()} {code[4..].ToLowerInvariant()} 货款";

    [Fact]
    public async Task Statement_with_a_messy_memo_credits_the_transfer_and_a_second_import_adds_nothing()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("对账导入科技有限公司");
        var transfer = await client.StartTransferAsync("1200");
        var id = Id();
        var file = Utf8(Row(id, "1,200.00", Messy(transfer.RemittanceCode)), Row(Id(), "", "手续费", expense: "5.00"));

        var first = await factory.ImportStatementAsync(file);
        Assert.True(first.IsSuccess, first.Error?.Message);
        Assert.Equal(1, first.Value!.IncomingLines);
        Assert.Equal(1, first.Value.NewLines);
        Assert.Equal(1, await factory.MatchStatementLinesAsync());

        Assert.Equal(BankTransferStatus.Confirmed, (await client.TransferAsync(transfer.Id)).Status);
        Assert.Equal("1200.00", (await client.WalletAsync()).Balance);
        var line = await factory.StatementLineAsync(id);
        Assert.Equal(BankStatementLineStatus.Credited, line.Status);
        Assert.Equal(transfer.Id, line.TransferId);
        var entry = Assert.Single(await factory.LedgerAsync(tenantId));
        Assert.Equal($"bank:{id}", entry.IdempotencyKey);
        Assert.Equal("system", entry.Actor);

        var second = await factory.ImportStatementAsync(file);
        Assert.True(second.IsSuccess);
        Assert.Equal(0, second.Value!.NewLines);
        Assert.Equal(0, await factory.MatchStatementLinesAsync());
        Assert.Single(await factory.LedgerAsync(tenantId));
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task A_malformed_row_refuses_the_whole_file_with_its_line_number()
    {
        var good = Id();
        var file = Utf8(Row(good, "100.00", "货款"), Row(Id(), "12x.00", "货款"));
        var result = await factory.ImportStatementAsync(file);
        Assert.False(result.IsSuccess);
        Assert.Equal("BankStatement.Invalid", result.Error!.Code);
        Assert.Contains("Line 3", result.Error.Message);
        await using var db = await factory.DbAsync();
        Assert.False(await db.BankStatementLines.AnyAsync(l => l.TransactionId == good));
    }

    [Fact]
    public async Task Gbk_and_utf8_statements_both_parse()
    {
        var (client, _) = await factory.VerifiedTenantAsync("编码测试科技有限公司");
        var a = await client.StartTransferAsync("1000");
        var b = await client.StartTransferAsync("1000");
        var gbkId = Id();
        var utf8Id = Id();
        Assert.True((await factory.ImportStatementAsync(Gbk(Row(gbkId, "1000.00", "附言：" + a.RemittanceCode)))).IsSuccess);
        var bom = Encoding.UTF8.GetPreamble().Concat(Utf8(Row(utf8Id, "1000.00", "付款 " + b.RemittanceCode))).ToArray();
        Assert.True((await factory.ImportStatementAsync(bom)).IsSuccess);
        Assert.Equal("上海某某科技有限公司", (await factory.StatementLineAsync(gbkId)).CounterpartyName);
        Assert.Contains(a.RemittanceCode, (await factory.StatementLineAsync(gbkId)).Memo);
        Assert.Equal(2, await factory.MatchStatementLinesAsync());
    }

    [Fact]
    public async Task An_amount_that_differs_goes_to_review_and_finance_links_it_explicitly()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("金额复核科技有限公司");
        var transfer = await client.StartTransferAsync("2000");
        var id = Id();
        Assert.True((await factory.ImportStatementAsync(Utf8(Row(id, "1999.00", transfer.RemittanceCode)))).IsSuccess);
        Assert.Equal(0, await factory.MatchStatementLinesAsync());
        var line = await factory.StatementLineAsync(id);
        Assert.Equal(BankStatementLineStatus.Review, line.Status);
        Assert.Empty(await factory.LedgerAsync(tenantId));

        await using (var scope = await factory.OperatorScopeAsync())
        {
            var resolve = scope.ServiceProvider.GetRequiredService<ResolveBankStatementLine.Handler>();
            Assert.Equal(BankTransferErrors.AmountDiffers, (await resolve.LinkAsync(new ResolveBankStatementLine.Link(line.Id, transfer.Id))).Error);
            var linked = await resolve.LinkAsync(new ResolveBankStatementLine.Link(line.Id, transfer.Id, AcceptDifferentAmount: true));
            Assert.True(linked.IsSuccess, linked.Error?.Message);
        }

        Assert.Equal("1999.00", (await client.WalletAsync()).Balance);
        Assert.Equal(BankStatementLineStatus.Credited, (await factory.StatementLineAsync(id)).Status);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Two_lines_with_the_same_code_credit_once_and_the_other_goes_to_review()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("重复汇款科技有限公司");
        var transfer = await client.StartTransferAsync("1500");
        var first = Id();
        var second = Id();
        Assert.True((await factory.ImportStatementAsync(Utf8(Row(first, "1500", transfer.RemittanceCode), Row(second, "1500", transfer.RemittanceCode)))).IsSuccess);

        var runs = await Task.WhenAll(Task.Run(factory.MatchStatementLinesAsync), Task.Run(factory.MatchStatementLinesAsync));
        Assert.Equal(1, runs.Sum());
        var statuses = new[] { (await factory.StatementLineAsync(first)).Status, (await factory.StatementLineAsync(second)).Status };
        Assert.Contains(BankStatementLineStatus.Credited, statuses);
        Assert.Contains(BankStatementLineStatus.Review, statuses);
        Assert.Single(await factory.LedgerAsync(tenantId));
        Assert.Equal("1500.00", (await client.WalletAsync()).Balance);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task No_code_goes_to_review_and_finance_marks_it_unrelated()
    {
        var id = Id();
        Assert.True((await factory.ImportStatementAsync(Utf8(Row(id, "88.00", "利息")))).IsSuccess);
        await factory.MatchStatementLinesAsync();
        var line = await factory.StatementLineAsync(id);
        Assert.Equal(BankStatementLineStatus.Review, line.Status);
        await using (var scope = await factory.OperatorScopeAsync())
        {
            var done = await scope.ServiceProvider.GetRequiredService<ResolveBankStatementLine.Handler>().MarkUnrelatedAsync(new ResolveBankStatementLine.MarkUnrelated(line.Id, "银行结息"));
            Assert.True(done.IsSuccess);
        }

        Assert.Equal(BankStatementLineStatus.Unrelated, (await factory.StatementLineAsync(id)).Status);
    }

    [Fact]
    public async Task An_expired_code_no_longer_matches()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("过期匹配科技有限公司");
        var transfer = await client.StartTransferAsync("1000");
        factory.Clock.Advance(TimeSpan.FromDays(31));
        var id = Id();
        Assert.True((await factory.ImportStatementAsync(Utf8(Row(id, "1000", transfer.RemittanceCode)))).IsSuccess);
        Assert.Equal(0, await factory.MatchStatementLinesAsync());
        Assert.Equal(BankStatementLineStatus.Review, (await factory.StatementLineAsync(id)).Status);
        Assert.Empty(await factory.LedgerAsync(tenantId));
    }
}

public sealed class BankStatementTestsOnPostgres(PostgresPortalFactory factory) : BankStatementTests<PostgresPortalFactory>(factory);

public sealed class BankStatementTestsOnSqlite(SqlitePortalFactory factory) : BankStatementTests<SqlitePortalFactory>(factory);
