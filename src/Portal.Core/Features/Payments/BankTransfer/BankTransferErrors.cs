using Portal.Core.Common;

namespace Portal.Core.Features.Payments.BankTransfer;

public static class BankTransferErrors
{
    public static readonly Error NotConfigured = new("BankTransfer.NotConfigured", "Bank transfers are not available: the receiving account is not configured.");
    public static readonly Error NotPending = new("BankTransfer.NotPending", "This transfer was already confirmed, rejected, cancelled or expired.");
    public static readonly Error AmountDiffers = new("BankTransfer.AmountDiffers", "The received amount differs from the announced amount. Confirm again explicitly to credit what was received.");
    public static readonly Error ReferenceUsed = new("BankTransfer.ReferenceUsed", "This bank reference has already been credited.");
}
