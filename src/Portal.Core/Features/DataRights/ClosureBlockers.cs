using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Invoices;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.BankTransfer;
using Portal.Core.Features.Payments.Refunds;

namespace Portal.Core.Features.DataRights;

/// <summary>Why an account cannot be closed yet; each text is a localisation key the page translates.</summary>
public static class ClosureBlockers
{
    public const string MoneyHeld = "Requests in flight or refunds are holding money in the wallet.";
    public const string TopUpPending = "A top-up is waiting for payment: pay or cancel it first.";
    public const string TransferPending = "A bank transfer is waiting for confirmation: wait for it or cancel it first.";
    public const string RefundInProgress = "A refund is being processed: wait until it is completed.";
    public const string Debt = "The balance is below zero: top up to settle it first.";
    public const string InvoicePending = "An invoice request is pending: wait for finance or withdraw it first.";
    public const string Invoiced = "Part of the balance has been invoiced and cannot be refunded: ask finance to void the invoice first.";

    /// <summary>Every reason that applies now; inside the closure's transaction (after the wallet lock) it cannot change before commit.</summary>
    public static async Task<IReadOnlyList<string>> FindAsync(PortalDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var found = new List<string>();
        var wallet = await db.Wallets.IgnoreTenantFilter().AsNoTracking().Where(w => w.TenantId == tenantId)
            .Select(w => new { w.BalanceMicroYuan, w.ReservedMicroYuan }).FirstOrDefaultAsync(cancellationToken);
        if ((wallet?.ReservedMicroYuan ?? 0) > 0 || await db.WalletLeases.AnyAsync(l => l.TenantId == tenantId, cancellationToken)) found.Add(MoneyHeld);
        if (await db.TopUpOrders.IgnoreTenantFilter().AnyAsync(o => o.TenantId == tenantId && o.Status == TopUpStatus.Pending, cancellationToken)) found.Add(TopUpPending);
        if (await db.BankTransferOrders.IgnoreTenantFilter().AnyAsync(o => o.TenantId == tenantId && o.Status == BankTransferStatus.Pending, cancellationToken)) found.Add(TransferPending);
        if (await db.RefundRequests.IgnoreTenantFilter().AnyAsync(r => r.TenantId == tenantId && (r.Status == RefundStatus.Requested || r.Status == RefundStatus.Approved), cancellationToken))
            found.Add(RefundInProgress);
        if ((wallet?.BalanceMicroYuan ?? 0) < 0) found.Add(Debt);
        if (await db.Invoices.IgnoreTenantFilter().AnyAsync(i => i.TenantId == tenantId && i.Status == InvoiceStatus.Pending, cancellationToken)) found.Add(InvoicePending);
        else if ((await RefundableBalance.ComputeAsync(db, tenantId, cancellationToken)).LimitedByInvoices) found.Add(Invoiced);
        return found;
    }

    /// <summary>
    /// The error for <paramref name="found"/>: money first (409 <c>Closure.MoneyHeld</c>), then a pending invoice request
    /// (<c>Closure.InvoicesPending</c>), then an invoiced balance (<c>Closure.Invoiced</c>).
    /// </summary>
    public static Error ErrorFor(IReadOnlyList<string> found) =>
        found.Any(f => f is not (InvoicePending or Invoiced))
            ? new Error("Closure.MoneyHeld", "The account cannot be closed while money is held: " + string.Join(" ", found))
            : found.Contains(InvoicePending)
                ? new Error("Closure.InvoicesPending", "The account cannot be closed while an invoice request is pending: " + string.Join(" ", found))
                : new Error("Closure.Invoiced", string.Join(" ", found));
}
