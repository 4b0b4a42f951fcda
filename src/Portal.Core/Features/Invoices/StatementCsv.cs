using System.Globalization;
using CsvHelper;
using Portal.Core.Common;

namespace Portal.Core.Features.Invoices;

/// <summary>
/// Writes a <see cref="StatementDocument"/> as one flat CSV table that Excel opens correctly in China: UTF-8 with a
/// byte-order mark (without it Excel assumes GBK and garbles Chinese), Chinese headers, and every row carrying the
/// tenant and period so that files can be concatenated. Amounts are exact yuan with up to six decimals.
/// </summary>
public static class StatementCsv
{
    private static readonly CsvWriterOptions Options = CsvWriterOptions.For<StatementCsvRow>() with
    {
        // Without a BOM, Excel on a Chinese Windows reads the file as GBK and garbles every Chinese character.
        WriteByteOrderMark = true,
        // Tenant and model names are typed by people; a leading =, +, - or @ must not become an Excel formula.
        Injection = CsvInjection.Escape,
        FormatProvider = CultureInfo.InvariantCulture,
    };

    /// <summary>Writes the statement to <paramref name="output"/>, leaving the stream open.</summary>
    /// <exception cref="InvalidOperationException">The closing balance is not opening + movements.</exception>
    public static void Write(StatementDocument statement, Stream output)
    {
        ArgumentNullException.ThrowIfNull(statement);
        ArgumentNullException.ThrowIfNull(output);
        statement.EnsureBalanced();

        using var csv = CsvWriter.Create(output, Options, leaveOpen: true);
        csv.WriteRecords(Rows(statement));
    }

    internal static IEnumerable<StatementCsvRow> Rows(StatementDocument s)
    {
        var period = $"{s.Year:0000}-{s.Month:00}";
        StatementCsvRow Row(string kind, Money? balanceChange, string? model = null) => new()
        {
            TenantName = s.TenantName,
            TenantId = s.TenantId,
            Period = period,
            Kind = kind,
            Model = model,
            BalanceChange = Yuan(balanceChange),
        };

        yield return Row("期初余额", null) with { Balance = Yuan(s.OpeningBalance) };
        yield return Row("充值", s.TopUps);
        yield return Row("退款", -s.Refunds);
        yield return Row("调整", s.Adjustments);
        foreach (var credit in s.ServiceCredits) yield return Row(credit.Label, credit.Amount);
        yield return Row("套餐购买", -s.PlanPurchases);
        foreach (var line in s.Usage)
        {
            yield return Row("用量", -line.WalletCharged, line.Model) with
            {
                Requests = line.Requests,
                InputTokens = line.InputTokens,
                OutputTokens = line.OutputTokens,
                Cost = Yuan(line.Cost),
                PlanCreditUsed = Yuan(line.PlanCreditUsed),
            };
        }

        yield return Row("套餐额度过期", null) with { PlanCreditExpired = Yuan(s.ExpiredPlanCredit) };
        yield return Row("期末余额", null) with { Balance = Yuan(s.ClosingBalance) };
    }

    /// <summary>
    /// Exact yuan with two to six decimals (<c>1234.50</c>, <c>0.000315</c>). A decimal carries its scale and is
    /// written with it, so the scale is set here: trailing zeros dropped, then widened back to at least the fen.
    /// </summary>
    internal static decimal? Yuan(Money? money)
    {
        if (money is not { } m) return null;
        var yuan = (decimal)m.MicroYuan / Money.MicroPerYuan;
        return yuan / 1.000000000000000000000000000m + 0.00m;
    }
}

/// <summary>
/// One CSV line. Amounts are exact decimal yuan written as <c>1234.50</c> or <c>0.000315</c>: no thousands separators
/// or currency symbol, so spreadsheets read them as numbers.
/// </summary>
[CsvRecord]
internal sealed partial record StatementCsvRow
{
    [CsvColumn("客户名称")]
    public string TenantName { get; init; } = "";

    [CsvColumn("账户编号")]
    public string TenantId { get; init; } = "";

    [CsvColumn("账期")]
    public string Period { get; init; } = "";

    [CsvColumn("项目")]
    public string Kind { get; init; } = "";

    [CsvColumn("模型")]
    public string? Model { get; init; }

    [CsvColumn("请求数")]
    public long? Requests { get; init; }

    [CsvColumn("输入Token")]
    public long? InputTokens { get; init; }

    [CsvColumn("输出Token")]
    public long? OutputTokens { get; init; }

    [CsvColumn("费用(元)")]
    public decimal? Cost { get; init; }

    [CsvColumn("套餐抵扣(元)")]
    public decimal? PlanCreditUsed { get; init; }

    [CsvColumn("套餐过期(元)")]
    public decimal? PlanCreditExpired { get; init; }

    [CsvColumn("余额变动(元)")]
    public decimal? BalanceChange { get; init; }

    [CsvColumn("余额(元)")]
    public decimal? Balance { get; init; }
}
