using Portal.Core.Common;

namespace Portal.Core.Features.Invoices;

public static class InvoiceErrors
{
    public static readonly Error NotConfigured = new("Invoice.NotConfigured", "Invoicing is not available: the seller's details are not configured.");
    public static readonly Error NoProfile = new("Invoice.NoProfile", "Fill in the invoice details (开票信息) first.");
    public static readonly Error ProfileOutdated = new("Invoice.ProfileOutdated", "The invoice title or taxpayer id no longer matches the verified name. Save the invoice details again.");
    public static readonly Error SpecialNeedsEnterprise = new("Invoice.SpecialNeedsEnterprise", "A special VAT invoice (专票) can only be issued to a verified enterprise.");
    public static readonly Error SpecialNeedsCompleteProfile = new("Invoice.SpecialNeedsCompleteProfile", "A special VAT invoice (专票) needs the registered address, phone, bank and account number in the invoice details.");
    public static readonly Error ExceedsInvoiceable = new("Invoice.ExceedsInvoiceable", "The amount is more than the amount you can still invoice.");
    public static readonly Error NotPending = new("Invoice.NotPending", "This invoice request was already issued, rejected or cancelled.");
    public static readonly Error NotIssued = new("Invoice.NotIssued", "Only an issued invoice can be voided.");
}
