using Portal.Core.Common;

namespace Portal.Core.Features.Payments.Refunds;

public static class RefundErrors
{
    public static readonly Error NotRequested = new("Refunds.NotRequested", "This refund was already approved, rejected or cancelled.");
    public static readonly Error NotApproved = new("Refunds.NotApproved", "This refund is not being paid out.");
    public static readonly Error AllocationDone = new("Refunds.AllocationDone", "This part of the refund was already paid out.");
    public static readonly Error NotAlipay = new("Refunds.NotAlipay", "This part of the refund is not paid back through Alipay.");
    public static readonly Error NotBankPayable = new("Refunds.NotBankPayable", "Only a bank part, or an Alipay part that Alipay refused, can be recorded as paid by bank.");

    /// <summary>The amount exceeds the cash balance that is neither held nor credit.</summary>
    public static Error ExceedsRefundable(Money refundable) =>
        new("Refunds.ExceedsRefundable", $"The amount exceeds the refundable balance of {refundable.ToDisplay()}.");

    /// <summary>The amount would refund money already invoiced: its invoice has to be voided first.</summary>
    public static Error Invoiced(Money refundable, Money invoiced) =>
        new("Refunds.Invoiced", $"At most {refundable.ToDisplay()} can be refunded: {invoiced.ToDisplay()} of your payments has been invoiced. "
            + "Ask finance to void the invoice first, then request a new invoice for what you keep.");
}
