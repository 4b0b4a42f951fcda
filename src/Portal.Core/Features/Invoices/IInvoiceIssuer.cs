namespace Portal.Core.Features.Invoices;

/// <summary>
/// Produces the invoice document once finance has approved a request and the portal has numbered it. The only
/// implementation today is <see cref="PlatformInvoiceIssuer"/>, which renders the platform's own PDF. An integration
/// with the national e-invoice service (全电发票 through a licensed service provider's API, or a 税务 UKey on a
/// signing host) would implement this interface: submit the buyer, item, amounts and tax, receive the official number
/// and the signed file, and for <see cref="VoidAsync"/> issue a red-letter invoice (红字发票) instead.
/// </summary>
public interface IInvoiceIssuer
{
    /// <summary>Short name stored with each invoice (<c>platform</c>).</summary>
    string Name { get; }

    /// <summary>The issued document's bytes (PDF).</summary>
    Task<byte[]> IssueAsync(InvoiceDocument document, CancellationToken cancellationToken);

    /// <summary>The same document marked void (<see cref="InvoiceDocument.IsVoid"/> is set with the reason).</summary>
    Task<byte[]> VoidAsync(InvoiceDocument document, CancellationToken cancellationToken);
}

/// <summary>Renders the platform's invoice PDF (<see cref="InvoicePdf"/>): not an invoice of the national tax system, and it says so.</summary>
public sealed class PlatformInvoiceIssuer(InvoiceFont font) : IInvoiceIssuer
{
    public string Name => "platform";

    public Task<byte[]> IssueAsync(InvoiceDocument document, CancellationToken cancellationToken) =>
        Task.FromResult(InvoicePdf.Render(document, font.Bytes));

    public Task<byte[]> VoidAsync(InvoiceDocument document, CancellationToken cancellationToken) =>
        Task.FromResult(InvoicePdf.Render(document, font.Bytes));
}
