using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Payments.BankTransfer;

namespace Portal.IntegrationTests.Infrastructure;

/// <summary>Writes bank statements in the generic profile and imports them through the finance use case.</summary>
public static class BankStatementHelpers
{
    public const string Header = "交易日期,交易时间,收入金额,支出金额,对方户名,对方账号,摘要,交易流水号";

    public static string Row(string id, string income, string memo, string date = "2026-11-28", string expense = "") =>
        $"{date},10:15:00,\"{income}\",{expense},上海某某科技有限公司,6222020000000001,\"{memo.Replace("\"", "\"\"", StringComparison.Ordinal)}\",{id}";

    public static byte[] Statement(Encoding encoding, params string[] rows) => encoding.GetBytes(Header + "\r\n" + string.Join("\r\n", rows) + "\r\n");

    public static byte[] Utf8(params string[] rows) => Statement(new UTF8Encoding(false), rows);

    public static byte[] Gbk(params string[] rows) => Statement(AlipayBillFormat.Gbk, rows);

    public static async Task<Result<ImportBankStatement.Imported>> ImportStatementAsync(this PortalFactory factory, byte[] content, string fileName = "statement.csv")
    {
        await using var scope = await factory.OperatorScopeAsync();
        return await scope.ServiceProvider.GetRequiredService<ImportBankStatement.Handler>().HandleAsync(new ImportBankStatement.Command(fileName, content));
    }

    /// <summary>Runs the matcher as Hangfire would (no signed-in user: audited as system).</summary>
    public static async Task<int> MatchStatementLinesAsync(this PortalFactory factory)
    {
        await using var scope = factory.Scope();
        return await scope.ServiceProvider.GetRequiredService<MatchBankStatementJob>().RunAsync(CancellationToken.None);
    }

    public static async Task<BankStatementLine> StatementLineAsync(this PortalFactory factory, string transactionId)
    {
        await using var db = await factory.DbAsync();
        return await db.BankStatementLines.AsNoTracking().SingleAsync(l => l.TransactionId == transactionId);
    }
}
