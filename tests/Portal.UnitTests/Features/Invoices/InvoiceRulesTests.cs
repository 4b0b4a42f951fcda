using Portal.Core.Common;
using Portal.Core.Features.Invoices;

namespace Portal.UnitTests.Features.Invoices;

public class InvoiceRulesTests
{
    [Fact]
    public void Verification_codes_carry_128_random_bits_in_url_safe_characters()
    {
        var codes = Enumerable.Range(0, 1_000).Select(_ => VerificationCodes.New()).ToList();

        Assert.All(codes, code => Assert.True(VerificationCodes.IsWellFormed(code), code));
        Assert.All(codes, code => Assert.Equal(16, Convert.FromBase64String(code.Replace('-', '+').Replace('_', '/') + "==").Length));
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("AAAAAAAAAAAAAAAAAAAA/A")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAA")]
    public void Malformed_codes_are_refused_before_any_lookup(string? code) => Assert.False(VerificationCodes.IsWellFormed(code));

    [Theory]
    [InlineData(2026, 1, "2025-12-31T16:00:00Z", "2026-01-31T16:00:00Z")]
    [InlineData(2026, 12, "2026-11-30T16:00:00Z", "2026-12-31T16:00:00Z")]
    [InlineData(2024, 2, "2024-01-31T16:00:00Z", "2024-02-29T16:00:00Z")]
    public void Statement_months_are_china_calendar_months_in_utc(int year, int month, string start, string end)
    {
        Assert.Equal(DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture), StatementMonths.Start(year, month));
        Assert.Equal(DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture), StatementMonths.End(year, month));
        Assert.Equal(TimeSpan.Zero, StatementMonths.Start(year, month).Offset);
    }

    [Fact]
    public void The_previous_month_and_the_completed_months_follow_china_time()
    {
        // 2026-03-01 00:30 in Beijing is still February in UTC.
        var now = new DateTimeOffset(2026, 2, 28, 16, 30, 0, TimeSpan.Zero);

        Assert.Equal((2026, 3), StatementMonths.Of(now));
        Assert.Equal((2026, 2), StatementMonths.Previous(now));
        Assert.True(StatementMonths.IsComplete(2026, 2, now));
        Assert.False(StatementMonths.IsComplete(2026, 3, now));
        Assert.Equal(new List<(int, int)> { (2026, 2), (2026, 1), (2025, 12) }, StatementMonths.CompletedSince(new DateTimeOffset(2025, 12, 10, 0, 0, 0, TimeSpan.Zero), now));
        Assert.Empty(StatementMonths.CompletedSince(now, now));
    }

    [Theory]
    [InlineData("0.06", 600, true)]
    [InlineData("0.13", 1300, true)]
    [InlineData("0.0325", 325, true)]
    [InlineData("0.06005", 600, false)]
    public void The_tax_rate_setting_is_read_in_exact_basis_points(string rate, int basisPoints, bool exact)
    {
        var options = new InvoiceOptions { TaxRate = decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture) };

        Assert.Equal(basisPoints, options.TaxRateBasisPoints);
        Assert.Equal(exact, options.TaxRateIsExact);
    }

    [Theory]
    [InlineData(1, "0.01", "0.00")] // a fen of tax-inclusive amount is all net
    [InlineData(17, "0.16", "0.01")] // 0.17 / 1.06 = 0.1603…
    [InlineData(9_999_999_999, "94339622.63", "5660377.36")] // 99,999,999.99 / 1.06 = 94,339,622.632…
    [InlineData(53, "0.50", "0.03")] // 0.53 / 1.06 = 0.5 exactly
    [InlineData(159, "1.50", "0.09")] // 1.59 / 1.06 = 1.5 exactly
    [InlineData(1_000_001, "9433.97", "566.04")] // 10,000.01 / 1.06 = 9,433.971…
    public void Awkward_totals_split_once_and_add_back_up(long grossFen, string net, string tax)
    {
        var split = TaxSplit.FromGross(Money.FromFen(grossFen), 600);

        Assert.Equal(net, (split.Net.MicroYuan / (decimal)Money.MicroPerYuan).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(tax, (split.Tax.MicroYuan / (decimal)Money.MicroPerYuan).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(split.Gross, split.Net + split.Tax);
    }

    [Fact]
    public void An_individual_buyer_may_leave_the_taxpayer_id_out_of_an_ordinary_invoice_only()
    {
        var invoice = DocumentFixtures.Invoice() with { Buyer = new InvoiceParty("张三", "") };

        invoice.EnsureValid();
        Assert.Throws<InvalidOperationException>(() => (invoice with { Type = InvoiceType.Special }).EnsureValid());
        using var pdf = UglyToad.PdfPig.PdfDocument.Open(InvoicePdf.Render(invoice, DocumentFixtures.Font));
        Assert.Contains("张三", string.Concat(pdf.GetPages().Select(p => p.Text)));
    }
}
