using Portal.Core.Common;
using Portal.Core.Common.Storage;

namespace Portal.Core.Features.Invoices;

/// <summary>Turns a stored invoice into the printable document, and stores rendered files.</summary>
internal static class InvoiceFiles
{
    /// <summary>The document of an issued invoice, from its own snapshots (never from today's settings or profile).</summary>
    public static InvoiceDocument Document(Invoice invoice, Uri verificationUrl, string platformName, bool asVoid = false) => new(
        InvoiceNumber: invoice.Number!,
        IssuedOn: invoice.IssuedOn!.Value,
        Type: invoice.Type,
        Seller: new InvoiceParty(invoice.SellerName!, invoice.SellerTaxpayerId!, invoice.SellerAddressPhone, invoice.SellerBankAccount),
        Buyer: new InvoiceParty(invoice.BuyerTitle, invoice.BuyerTaxpayerId, Join(invoice.BuyerAddress, invoice.BuyerPhone), Join(invoice.BuyerBankName, invoice.BuyerBankAccount)),
        Lines: [new InvoiceLine(invoice.ItemName, "项", 1, invoice.Net, invoice.TaxRateBasisPoints, invoice.Tax)],
        VerificationUrl: verificationUrl,
        PlatformName: platformName,
        Remarks: invoice.Remarks,
        IsVoid: asVoid,
        VoidReason: asVoid ? invoice.VoidReason : null);

    /// <summary>The file name people get: <c>发票-202600000001.pdf</c>, <c>发票-202600000001-作废.pdf</c>.</summary>
    public static string FileName(Invoice invoice) =>
        $"发票-{invoice.Number}{(invoice.Status == InvoiceStatus.Voided ? "-作废" : "")}.pdf";

    /// <summary>Stores a rendered file; with <paramref name="within"/>, inside that context's transaction (see <see cref="IFileStore.BeginWithinAsync"/>).</summary>
    public static async Task<string> StoreAsync(IFileStore store, byte[] content, string extension, CancellationToken cancellationToken, Data.PortalDbContext? within = null)
    {
        await using var upload = within is null ? await store.BeginAsync(cancellationToken) : await store.BeginWithinAsync(within, cancellationToken);
        await upload.Content.WriteAsync(content, cancellationToken);
        return await upload.CommitAsync(extension, cancellationToken);
    }

    private static string? Join(string a, string b) => (a.Trim() + " " + b.Trim()).Trim() is { Length: > 0 } s ? s : null;

    /// <summary>The invoice number: the year and an eight-digit sequence (<c>202600000001</c>).</summary>
    public static string Number(int year, long sequence) => $"{year:0000}{sequence:00000000}";

    /// <summary>人民币 amount as plain yuan (<c>1060.00</c>) for CSV files.</summary>
    public static decimal Yuan(Money money) => StatementCsv.Yuan(money)!.Value;
}
