using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Localization;

namespace Portal.Core.Features.Invoices;

/// <summary>Pending → Issued | Rejected | Cancelled; Issued → Voided.</summary>
public enum InvoiceStatus
{
    /// <summary>Requested by the tenant, waiting for finance.</summary>
    [EnumText("Awaiting issue")]
    Pending,

    /// <summary>Numbered, rendered and emailed.</summary>
    Issued,

    /// <summary>Finance refused it with a reason.</summary>
    Rejected,

    /// <summary>The tenant withdrew the request before it was issued.</summary>
    [EnumText("Withdrawn")]
    Cancelled,

    /// <summary>作废: an issued invoice cancelled by finance with a reason; its PDF is kept and stamped.</summary>
    [EnumText("Void")]
    Voided,
}

/// <summary>
/// One invoice, from request to issue (or rejection) and possibly void. The buyer's details and the tax split are
/// copied at request time and never recomputed; the seller's at issue time. Pending and Issued invoices count against
/// the tenant's invoiceable amount.
/// </summary>
public sealed class Invoice : ITenantOwned
{
    /// <summary>The item every invoice carries: 信息技术服务 is the tax classification, API调用服务费 the service.</summary>
    public const string DefaultItemName = "*信息技术服务*API调用服务费";

    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public InvoiceType Type { get; set; }

    public InvoiceStatus Status { get; set; }

    /// <summary>发票号码: the year and an eight-digit sequence without gaps (<c>202600000001</c>); set when issued.</summary>
    public string? Number { get; set; }

    /// <summary>价税合计, whole fen.</summary>
    public long AmountMicroYuan { get; set; }

    /// <summary>不含税金额 = round(含税 ÷ (1 + rate), 2), computed once at request time.</summary>
    public long NetMicroYuan { get; set; }

    /// <summary>税额 = 含税 − 不含税.</summary>
    public long TaxMicroYuan { get; set; }

    public int TaxRateBasisPoints { get; set; }

    public string ItemName { get; set; } = DefaultItemName;

    public string BuyerTitle { get; set; } = "";

    public string BuyerTaxpayerId { get; set; } = "";

    public string BuyerAddress { get; set; } = "";

    public string BuyerPhone { get; set; } = "";

    public string BuyerBankName { get; set; } = "";

    public string BuyerBankAccount { get; set; } = "";

    /// <summary>Where the issued PDF is emailed.</summary>
    public string RecipientEmail { get; set; } = "";

    /// <summary>备注 the tenant asked for (e.g. a purchase order number).</summary>
    public string? Remarks { get; set; }

    public Guid RequestedByUserId { get; set; }

    public string RequestedBy { get; set; } = "";

    public DateTimeOffset RequestedAt { get; set; }

    public string? SellerName { get; set; }

    public string? SellerTaxpayerId { get; set; }

    public string? SellerAddressPhone { get; set; }

    public string? SellerBankAccount { get; set; }

    public DateTimeOffset? IssuedAt { get; set; }

    /// <summary>开票日期, China calendar date of <see cref="IssuedAt"/>.</summary>
    public DateOnly? IssuedOn { get; set; }

    public string? IssuedBy { get; set; }

    /// <summary>Which <see cref="IInvoiceIssuer"/> produced the document.</summary>
    public string? Issuer { get; set; }

    /// <summary>The issued PDF in the file store; kept after a void.</summary>
    public string? PdfFileKey { get; set; }

    /// <summary>The same invoice re-rendered with the void stamp and reason.</summary>
    public string? VoidPdfFileKey { get; set; }

    /// <summary>The random, unguessable code of the public verification page (set at issue).</summary>
    public string? VerificationCode { get; set; }

    public string? RejectionReason { get; set; }

    public string? VoidReason { get; set; }

    /// <summary>Who rejected, cancelled or voided it.</summary>
    public string? ClosedBy { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public Money Amount => new(AmountMicroYuan);

    public Money Net => new(NetMicroYuan);

    public Money Tax => new(TaxMicroYuan);

    /// <summary>The PDF people download: the stamped one after a void.</summary>
    public string? CurrentPdfKey => Status == InvoiceStatus.Voided ? VoidPdfFileKey ?? PdfFileKey : PdfFileKey;
}

/// <summary>The last invoice number handed out in a year. One row per year, incremented inside the issuing transaction.</summary>
public sealed class InvoiceNumberCounter
{
    public int Year { get; set; }

    public long LastNumber { get; set; }
}
