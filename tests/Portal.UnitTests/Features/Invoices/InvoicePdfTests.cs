using Portal.Core.Common;
using Portal.Core.Features.Invoices;
using UglyToad.PdfPig;

namespace Portal.UnitTests.Features.Invoices;

public class InvoicePdfTests
{
    private static readonly Lazy<byte[]> Rendered = new(() => InvoicePdf.Render(DocumentFixtures.Invoice(), DocumentFixtures.Font));

    private static string Text(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return string.Concat(document.GetPages().Select(page => page.Text));
    }

    private static List<string> Words(byte[] pdf)
    {
        using var document = PdfDocument.Open(pdf);
        return document.GetPages().SelectMany(page => page.GetWords()).Select(word => word.Text).ToList();
    }

    [Fact]
    public void Shows_the_parties_number_and_amounts_as_extractable_text()
    {
        var text = Text(Rendered.Value);

        Assert.Contains("杭州星辰数据服务有限公司", text);
        Assert.Contains("上海智算云科技有限公司", text);
        Assert.Contains("91330106MA2GABCD3X", text);
        Assert.Contains("25310000000012345678", text);
        Assert.Contains("2025年03月31日", text);
        Assert.Contains("增值税普通发票", text);
        Assert.Contains("*信息技术服务*API调用服务费", text);
        Assert.Contains("¥1,000.00", text);
        Assert.Contains("¥60.00", text);
        Assert.Contains("¥1,060.00", text);
        Assert.Contains("6%", text);
        Assert.Contains("壹仟零陆拾元整", text);
        Assert.Contains("不是通过全国增值税发票管理系统", text);
        Assert.DoesNotContain("作废", text);
    }

    [Fact]
    public void Is_titled_as_the_platforms_invoice_voucher_with_the_requested_type_in_small_type()
    {
        using var document = PdfDocument.Open(Rendered.Value);
        var letters = document.GetPage(1).Letters;
        var biggest = letters.Max(l => l.PointSize);
        var title = string.Concat(letters.Where(l => l.PointSize == biggest).Select(l => l.Value));
        Assert.Equal(InvoicePdf.DocumentTitle, title);
        Assert.Equal("电子发票凭证", title);
        var type = string.Concat(letters.Where(l => l.PointSize < biggest / 2).Select(l => l.Value));
        Assert.Contains("申请类型：增值税普通发票", type);
        Assert.Equal("电子发票凭证 25310000000012345678", document.Information.Title);
    }

    [Fact]
    public void Prints_line_amounts_without_and_totals_with_the_currency_sign()
    {
        var words = Words(Rendered.Value);

        Assert.Contains("1,000.00", words); // 金额 cell
        Assert.Contains("60.00", words); // 税额 cell
        Assert.Contains("¥1,000.00", words); // 合计
        Assert.Contains("¥60.00", words);
        Assert.Contains("¥1,060.00", words); // 价税合计（小写）
    }

    [Fact]
    public void Totals_add_up_over_several_lines()
    {
        var invoice = DocumentFixtures.Invoice() with
        {
            Lines =
            [
                InvoiceLine.FromSplit("*信息技术服务*API调用服务费", "项", 1, TaxSplit.FromGross(Money.FromFen(3_333), 600)),
                InvoiceLine.FromSplit("*信息技术服务*模型套餐服务费", "个", 2, TaxSplit.FromGross(Money.FromYuan(598), 600)),
            ],
        };

        Assert.Equal(Money.FromFen(3_333 + 59_800), invoice.TotalIncludingTax);
        Assert.Equal(Money.FromFen(189 + 3_385), invoice.TotalTax);

        var text = Text(InvoicePdf.Render(invoice, DocumentFixtures.Font));

        Assert.Contains("模型套餐服务费", text);
        Assert.Contains("¥631.33", text);
        Assert.Contains("陆佰叁拾壹元叁角叁分", text);
    }

    [Fact]
    public void Renders_from_several_threads_at_once()
    {
        var results = new byte[8][];

        Parallel.For(0, results.Length, i => results[i] = InvoicePdf.Render(DocumentFixtures.Invoice(isVoid: i % 2 == 0), DocumentFixtures.Font));

        Assert.All(results, pdf => Assert.Contains("25310000000012345678", Text(pdf)));
    }

    [Fact]
    public void Stays_well_under_a_megabyte()
    {
        Assert.InRange(Rendered.Value.Length, 1, 300_000);
    }

    [Fact]
    public void Embeds_only_a_subset_of_the_font()
    {
        using var document = PdfDocument.Open(Rendered.Value);
        var fontNames = document.GetPage(1).Letters.Select(letter => letter.FontName).Distinct().ToList();

        Assert.NotEmpty(fontNames);
        // PDF 32000-1 §9.6.4: a subset font's BaseFont is six upper-case letters, '+', then the PostScript name.
        Assert.All(fontNames, name => Assert.Matches("^[A-Z]{6}\\+", name));
    }

    [Fact]
    public void A_void_invoice_carries_the_stamp_and_the_reason()
    {
        var pdf = InvoicePdf.Render(DocumentFixtures.Invoice(isVoid: true), DocumentFixtures.Font);

        var text = Text(pdf);

        Assert.Contains("作废", text);
        Assert.Contains("购买方名称有误，已重新开具", text);
    }

    [Fact]
    public void Refuses_a_void_invoice_without_a_reason()
    {
        var invoice = DocumentFixtures.Invoice() with { IsVoid = true };

        Assert.Throws<InvalidOperationException>(() => InvoicePdf.Render(invoice, DocumentFixtures.Font));
    }

    [Fact]
    public void A_special_invoice_needs_the_buyers_bank_details()
    {
        var invoice = DocumentFixtures.Invoice() with { Type = InvoiceType.Special };

        Assert.Throws<InvalidOperationException>(() => InvoicePdf.Render(invoice, DocumentFixtures.Font));
    }
}
