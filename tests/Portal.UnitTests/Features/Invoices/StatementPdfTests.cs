using Portal.Core.Common;
using Portal.Core.Features.Invoices;
using UglyToad.PdfPig;

namespace Portal.UnitTests.Features.Invoices;

public class StatementPdfTests
{
    private static string Text(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Concat(document.GetPages().Select(page => page.Text));
    }

    [Fact]
    public void Shows_the_tenant_period_and_closing_balance()
    {
        var statement = DocumentFixtures.Statement();

        var pdf = StatementPdf.Render(statement, DocumentFixtures.Font);
        var text = Text(pdf);

        // 1,203.45 + 5,000 − 200 − 12.50 − 299 − (52.3184 − 30 + 71.455125 + 0.000315) = 5,598.176160
        Assert.Equal(new Money(5_598_176_160), statement.ClosingBalance);
        Assert.Contains("¥5,598.18", text);
        Assert.Contains("¥1,203.45", text);
        Assert.Contains("杭州星辰数据服务有限公司", text);
        Assert.Contains("2025年03月", text);
        Assert.Contains("deepseek-chat", text);
        Assert.Contains("41,250,000", text);
        Assert.InRange(pdf.Length, 1, 300_000);
    }

    [Fact]
    public void Continues_a_long_usage_table_on_further_pages()
    {
        var pdf = StatementPdf.Render(DocumentFixtures.Statement(extraModels: 60), DocumentFixtures.Font);

        using var document = PdfDocument.Open(pdf);
        Assert.True(document.NumberOfPages >= 2);
        var all = string.Concat(document.GetPages().Select(page => page.Text));
        Assert.Contains("model-000", all);
        Assert.Contains("model-059", all);
        Assert.Contains($"共 {document.NumberOfPages} 页", all);
    }

    [Fact]
    public void Refuses_a_statement_whose_closing_balance_does_not_add_up()
    {
        var statement = DocumentFixtures.Statement();
        var wrong = statement with { ClosingBalance = statement.ClosingBalance + new Money(1) };

        var error = Assert.Throws<InvalidOperationException>(() => StatementPdf.Render(wrong, DocumentFixtures.Font));
        Assert.Contains("closing balance", error.Message);
        Assert.Throws<InvalidOperationException>(() => StatementCsv.Write(wrong, new MemoryStream()));
    }

    [Fact]
    public void Refuses_plan_credit_larger_than_the_usage_cost()
    {
        var statement = DocumentFixtures.Statement();
        var line = statement.Usage[1] with { PlanCreditUsed = statement.Usage[1].Cost + new Money(1) };
        var wrong = statement with
        {
            Usage = [statement.Usage[0], line, statement.Usage[2]],
            ClosingBalance = statement.ClosingBalance + line.PlanCreditUsed,
        };

        Assert.Throws<InvalidOperationException>(() => wrong.EnsureBalanced());
    }
}
