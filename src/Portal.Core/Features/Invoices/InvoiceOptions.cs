using System.ComponentModel.DataAnnotations;
using Portal.Core.Common;

namespace Portal.Core.Features.Invoices;

/// <summary>
/// Bound from <c>Invoice</c>: the seller block printed on every invoice, the VAT rate and where the QR code points.
/// Invoicing is offered only when the seller's six fields are all set.
/// </summary>
public sealed class InvoiceOptions
{
    public const string Section = "Invoice";

    /// <summary>销售方名称: the platform operator's registered company name.</summary>
    [MaxLength(200)]
    public string SellerName { get; set; } = "";

    /// <summary>销售方纳税人识别号 (统一社会信用代码).</summary>
    [MaxLength(20)]
    public string SellerTaxpayerId { get; set; } = "";

    /// <summary>销售方地址.</summary>
    [MaxLength(200)]
    public string SellerAddress { get; set; } = "";

    /// <summary>销售方电话.</summary>
    [MaxLength(40)]
    public string SellerPhone { get; set; } = "";

    /// <summary>销售方开户行.</summary>
    [MaxLength(100)]
    public string SellerBank { get; set; } = "";

    /// <summary>销售方账号.</summary>
    [MaxLength(40)]
    public string SellerAccount { get; set; } = "";

    /// <summary>增值税税率 as a fraction: 0.06 = 6 % (信息技术服务). At most four decimals.</summary>
    [Range(typeof(decimal), "0", "0.9999")]
    public decimal TaxRate { get; set; } = 0.06m;

    /// <summary>The base URL of the public verification page the QR code links to; empty = <c>Portal:PublicBaseUrl</c>.</summary>
    [Url]
    public string? PublicBaseUrl { get; set; }

    /// <summary>The font embedded (as a subset) in invoice and statement PDFs; relative paths are under the app's directory.</summary>
    public string FontPath { get; set; } = Path.Combine("wwwroot-assets", "fonts", "wqy-microhei.ttf");

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(SellerName) && !string.IsNullOrWhiteSpace(SellerTaxpayerId) && !string.IsNullOrWhiteSpace(SellerAddress)
        && !string.IsNullOrWhiteSpace(SellerPhone) && !string.IsNullOrWhiteSpace(SellerBank) && !string.IsNullOrWhiteSpace(SellerAccount);

    /// <summary>The rate in basis points (600 = 6 %), exact.</summary>
    public int TaxRateBasisPoints => (int)(TaxRate * 10_000);

    public bool TaxRateIsExact => TaxRate * 10_000 == decimal.Truncate(TaxRate * 10_000);

    public InvoiceParty Seller => new(SellerName.Trim(), SellerTaxpayerId.Trim(), $"{SellerAddress.Trim()} {SellerPhone.Trim()}", $"{SellerBank.Trim()} {SellerAccount.Trim()}");

    /// <summary>The verification page of <paramref name="code"/>, absolute.</summary>
    public Uri VerificationUrl(PortalOptions portal, string code) => PublicUrl(portal, "/invoices/verify/" + code);

    /// <summary>An absolute link to a public page (<paramref name="path"/> starts with '/') under the verification base URL.</summary>
    public Uri PublicUrl(PortalOptions portal, string path) =>
        new((string.IsNullOrWhiteSpace(PublicBaseUrl) ? portal.PublicBaseUrl : PublicBaseUrl).TrimEnd('/') + path);
}
