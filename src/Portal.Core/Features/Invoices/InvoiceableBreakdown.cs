using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Payments.Refunds;
using Portal.Core.Features.Wallet;

namespace Portal.Core.Features.Invoices;

/// <summary>
/// What a tenant can still invoice: paid top-ups − refunds (paid out or in progress) − invoices issued or pending. Plan purchases are paid from
/// the balance, which was invoiced as top-ups, so they are not invoiced again; adjustments (the demo credit, goodwill
/// credits) are not payments and are never invoiceable.
/// </summary>
/// <param name="TopUps">Σ ledger entries of kind TopUp (Alipay and bank transfers).</param>
/// <param name="Refunds">Σ ledger entries of kind Refund, as a magnitude.</param>
/// <param name="Issued">Invoices issued and not voided.</param>
/// <param name="Pending">Invoices requested and not yet decided.</param>
/// <param name="RefundsInProgress">Refunds requested or being paid out: what of them is still held in the wallet.</param>
public sealed record InvoiceableBreakdown(Money TopUps, Money Refunds, Money Issued, Money Pending, Money RefundsInProgress)
{
    /// <summary>Never negative: a refund after invoicing can take the raw figure below zero, which means nothing is left.</summary>
    public Money Invoiceable
    {
        get
        {
            var left = TopUps - Refunds - RefundsInProgress - Issued - Pending;
            // Invoices are in whole fen; a sub-fen remainder cannot be invoiced.
            var fen = Math.Max(0, left.MicroYuan) / Money.MicroPerFen;
            return Money.FromFen(fen);
        }
    }

    /// <summary>
    /// The most that may still be refunded without refunding money already invoiced (whole fen), or null when nothing
    /// was ever invoiced. Invoiced money comes back only after finance voids its invoice; the tenant then asks for a
    /// new invoice for what it keeps. Tenants who never invoiced may refund any cash, adjustments included.
    /// </summary>
    public Money? RefundLimit => Issued + Pending > Money.Zero ? Invoiceable : null;

    /// <summary>Reads the figures. Inside a transaction after <see cref="LockAsync"/> they cannot change until commit.</summary>
    public static async Task<InvoiceableBreakdown> ComputeAsync(PortalDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var ledger = db.LedgerEntries.IgnoreTenantFilter().Where(e => e.TenantId == tenantId);
        var topUps = await ledger.Where(e => e.Kind == LedgerEntryKind.TopUp).SumAsync(e => (long?)e.AmountMicroYuan, cancellationToken) ?? 0;
        var refunds = await ledger.Where(e => e.Kind == LedgerEntryKind.Refund).SumAsync(e => (long?)e.AmountMicroYuan, cancellationToken) ?? 0;
        var invoices = db.Invoices.IgnoreTenantFilter().Where(i => i.TenantId == tenantId);
        var issued = await invoices.Where(i => i.Status == InvoiceStatus.Issued).SumAsync(i => (long?)i.AmountMicroYuan, cancellationToken) ?? 0;
        var pending = await invoices.Where(i => i.Status == InvoiceStatus.Pending).SumAsync(i => (long?)i.AmountMicroYuan, cancellationToken) ?? 0;
        // A refund's ledger entries are posted part by part as it is paid out, and its hold shrinks by the same amounts
        // in the same transactions: posted + still held is the whole refund at every moment.
        var refunding = await db.RefundRequests.IgnoreTenantFilter()
            .Where(r => r.TenantId == tenantId && (r.Status == RefundStatus.Requested || r.Status == RefundStatus.Approved))
            .SumAsync(r => (long?)r.HeldMicroYuan, cancellationToken) ?? 0;
        return new InvoiceableBreakdown(new Money(topUps), new Money(-refunds), new Money(issued), new Money(pending), new Money(refunding));
    }

    /// <summary>
    /// Takes the tenant's wallet row lock for the rest of the caller's transaction (a no-op UPDATE: a row lock on
    /// PostgreSQL, the write lock on SQLite). Invoice requests, refund requests and every ledger posting (top-ups,
    /// refund payouts) take the same lock, so the figures read after it stay true until the transaction commits.
    /// Returns false when the tenant has no wallet, i.e. has never paid anything.
    /// </summary>
    public static async Task<bool> LockAsync(PortalDbContext db, Guid tenantId, CancellationToken cancellationToken) =>
        await db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == tenantId)
            .ExecuteUpdateAsync(s => s.SetProperty(w => w.UpdatedAt, w => w.UpdatedAt), cancellationToken) > 0;
}
