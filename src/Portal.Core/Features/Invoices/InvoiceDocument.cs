using Portal.Core.Common;
using Portal.Core.Localization;

namespace Portal.Core.Features.Invoices;

/// <summary>The kind of VAT invoice the document shows.</summary>
public enum InvoiceType
{
    /// <summary>增值税普通发票.</summary>
    [EnumText("Ordinary (普票)")]
    Ordinary,

    /// <summary>增值税专用发票: the buyer may deduct input VAT, so the buyer's full details are required.</summary>
    [EnumText("Special (专票)")]
    Special,
}

/// <summary>销售方 or 购买方 as printed on an invoice.</summary>
/// <param name="Name">名称: the registered company name.</param>
/// <param name="TaxpayerId">纳税人识别号 (统一社会信用代码, 18 characters); may be empty for an individual buyer.</param>
/// <param name="AddressAndPhone">地址、电话; optional for a buyer on an ordinary invoice.</param>
/// <param name="BankAndAccount">开户行及账号; optional for a buyer on an ordinary invoice.</param>
public sealed record InvoiceParty(string Name, string TaxpayerId, string? AddressAndPhone = null, string? BankAndAccount = null);

/// <summary>One row of the item table.</summary>
/// <param name="Name">项目名称 with its tax classification prefix, e.g. <c>*信息技术服务*API调用服务费</c>.</param>
/// <param name="Unit">单位, e.g. 项 or 次.</param>
/// <param name="Quantity">数量; a count, not money.</param>
/// <param name="AmountExcludingTax">金额 (不含税), whole fen.</param>
/// <param name="TaxRateBasisPoints">税率 in basis points (600 = 6 %).</param>
/// <param name="Tax">税额, whole fen, usually from <see cref="TaxSplit"/>.</param>
public sealed record InvoiceLine(string Name, string Unit, decimal Quantity, Money AmountExcludingTax, int TaxRateBasisPoints, Money Tax)
{
    /// <summary>The line built from a tax-inclusive amount split by <see cref="TaxSplit.FromGross"/>.</summary>
    public static InvoiceLine FromSplit(string name, string unit, decimal quantity, TaxSplit split) =>
        new(name, unit, quantity, split.Net, split.RateBasisPoints, split.Tax);
}

/// <summary>
/// What the invoice PDF shows. This is the platform's own invoice document (发票凭证): it is not an e-invoice
/// issued through the national VAT invoice system, and the rendered page says so.
/// </summary>
/// <param name="InvoiceNumber">发票号码.</param>
/// <param name="IssuedOn">开票日期 (China calendar date).</param>
/// <param name="Type">普通发票 or 专用发票.</param>
/// <param name="Seller">销售方: the platform operator.</param>
/// <param name="Buyer">购买方: the tenant's company.</param>
/// <param name="Lines">The item rows; 1 to <see cref="MaxLines"/>.</param>
/// <param name="VerificationUrl">Where the QR code points: the platform's page confirming this invoice.</param>
/// <param name="PlatformName">Named in the footer that says whose document this is.</param>
/// <param name="Remarks">备注, printed in the remarks box when present.</param>
/// <param name="IsVoid">作废: the invoice was cancelled; the page carries a large stamp and <paramref name="VoidReason"/>.</param>
/// <param name="VoidReason">Why it was voided; required when <paramref name="IsVoid"/>.</param>
public sealed record InvoiceDocument(
    string InvoiceNumber,
    DateOnly IssuedOn,
    InvoiceType Type,
    InvoiceParty Seller,
    InvoiceParty Buyer,
    IReadOnlyList<InvoiceLine> Lines,
    Uri VerificationUrl,
    string PlatformName,
    string? Remarks = null,
    bool IsVoid = false,
    string? VoidReason = null)
{
    /// <summary>How many item rows fit the single-page layout.</summary>
    public const int MaxLines = 8;

    /// <summary>合计金额: the sum of the lines' amounts excluding tax.</summary>
    public Money TotalExcludingTax => Lines.Aggregate(Money.Zero, (sum, line) => sum + line.AmountExcludingTax);

    /// <summary>合计税额.</summary>
    public Money TotalTax => Lines.Aggregate(Money.Zero, (sum, line) => sum + line.Tax);

    /// <summary>价税合计: what the buyer paid.</summary>
    public Money TotalIncludingTax => TotalExcludingTax + TotalTax;

    /// <summary>
    /// Throws when the document cannot be printed truthfully. The caller builds it from stored data, so a failure here
    /// is a bug, not a user error.
    /// </summary>
    /// <exception cref="InvalidOperationException">A required field is missing or an amount is negative or not whole fen.</exception>
    public void EnsureValid()
    {
        Require(!string.IsNullOrWhiteSpace(InvoiceNumber), "the invoice number is empty");
        Require(!string.IsNullOrWhiteSpace(PlatformName), "the platform name is empty");
        RequireParty(Seller, "seller", full: true);
        // An individual buyer of an ordinary invoice may leave the taxpayer id out (个人抬头).
        RequireParty(Buyer, "buyer", full: Type == InvoiceType.Special, taxpayerId: Type == InvoiceType.Special);
        Require(Lines.Count is > 0 and <= MaxLines, $"an invoice has 1 to {MaxLines} lines, not {Lines.Count}");
        foreach (var line in Lines)
        {
            Require(!string.IsNullOrWhiteSpace(line.Name), "a line has no name");
            Require(line.Quantity > 0, $"line '{line.Name}' has a quantity of {line.Quantity}");
            Require(line.AmountExcludingTax >= Money.Zero && line.Tax >= Money.Zero, $"line '{line.Name}' has a negative amount");
            Require(line.AmountExcludingTax.IsWholeFen && line.Tax.IsWholeFen, $"line '{line.Name}' has an amount that is not whole fen");
            Require(line.TaxRateBasisPoints is >= 0 and <= 10_000, $"line '{line.Name}' has a tax rate of {line.TaxRateBasisPoints} bp");
        }

        Require(VerificationUrl.IsAbsoluteUri, "the verification URL is not absolute");
        Require(!IsVoid || !string.IsNullOrWhiteSpace(VoidReason), "a void invoice needs a reason");
    }

    private static void RequireParty(InvoiceParty party, string role, bool full, bool taxpayerId = true)
    {
        Require(!string.IsNullOrWhiteSpace(party.Name), $"the {role} has no name");
        Require(!taxpayerId || !string.IsNullOrWhiteSpace(party.TaxpayerId), $"the {role} has no taxpayer id");
        if (full)
        {
            Require(!string.IsNullOrWhiteSpace(party.AddressAndPhone), $"the {role} has no address and phone");
            Require(!string.IsNullOrWhiteSpace(party.BankAndAccount), $"the {role} has no bank and account");
        }
    }

    private static void Require(bool condition, string problem)
    {
        if (!condition) throw new InvalidOperationException($"Invoice document is not printable: {problem}.");
    }
}
