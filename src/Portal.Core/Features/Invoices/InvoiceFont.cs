using Microsoft.Extensions.Options;

namespace Portal.Core.Features.Invoices;

/// <summary>The CJK font of the PDFs, read once from <see cref="InvoiceOptions.FontPath"/> (under the app's directory when relative).</summary>
public sealed class InvoiceFont(IOptionsMonitor<InvoiceOptions> options)
{
    private readonly Lazy<byte[]> bytes = new(() =>
    {
        var path = options.CurrentValue.FontPath;
        return File.ReadAllBytes(Path.IsPathRooted(path) ? path : Path.Combine(AppContext.BaseDirectory, path));
    });

    public byte[] Bytes => bytes.Value;
}
