using System.Globalization;
using CsvHelper;

namespace Portal.Core.Features.Invoices;

/// <summary>Finance's monthly invoice list: one row per invoice, UTF-8 with BOM, Chinese headers, exact amounts.</summary>
public static class InvoiceCsv
{
    private static readonly CsvWriterOptions Options = CsvWriterOptions.For<InvoiceCsvRow>() with
    {
        WriteByteOrderMark = true,
        // Titles are typed by tenants; a leading =, +, - or @ must not become an Excel formula.
        Injection = CsvInjection.Escape,
        FormatProvider = CultureInfo.InvariantCulture,
    };

    public static void Write(IEnumerable<Invoice> invoices, Stream output)
    {
        using var csv = CsvWriter.Create(output, Options, leaveOpen: true);
        csv.WriteRecords(invoices.Select(i => new InvoiceCsvRow
        {
            Number = i.Number ?? "",
            IssuedOn = i.IssuedOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
            Type = i.Type == InvoiceType.Special ? "增值税专用发票" : "增值税普通发票",
            Status = i.Status == InvoiceStatus.Voided ? "作废" : "正常",
            BuyerTitle = i.BuyerTitle,
            BuyerTaxpayerId = i.BuyerTaxpayerId,
            ItemName = i.ItemName,
            Net = InvoiceFiles.Yuan(i.Net),
            TaxRate = PdfCanvas.Rate(i.TaxRateBasisPoints),
            Tax = InvoiceFiles.Yuan(i.Tax),
            Amount = InvoiceFiles.Yuan(i.Amount),
            RecipientEmail = i.RecipientEmail,
            IssuedBy = i.IssuedBy ?? "",
            VoidReason = i.VoidReason,
        }));
    }
}

[CsvRecord]
internal sealed partial record InvoiceCsvRow
{
    [CsvColumn("发票号码")]
    public string Number { get; init; } = "";

    [CsvColumn("开票日期")]
    public string IssuedOn { get; init; } = "";

    [CsvColumn("发票类型")]
    public string Type { get; init; } = "";

    [CsvColumn("状态")]
    public string Status { get; init; } = "";

    [CsvColumn("购买方名称")]
    public string BuyerTitle { get; init; } = "";

    [CsvColumn("购买方纳税人识别号")]
    public string BuyerTaxpayerId { get; init; } = "";

    [CsvColumn("项目名称")]
    public string ItemName { get; init; } = "";

    [CsvColumn("金额(不含税)")]
    public decimal Net { get; init; }

    [CsvColumn("税率")]
    public string TaxRate { get; init; } = "";

    [CsvColumn("税额")]
    public decimal Tax { get; init; }

    [CsvColumn("价税合计")]
    public decimal Amount { get; init; }

    [CsvColumn("收票邮箱")]
    public string RecipientEmail { get; init; } = "";

    [CsvColumn("开票人")]
    public string IssuedBy { get; init; } = "";

    [CsvColumn("作废原因")]
    public string? VoidReason { get; init; }
}
