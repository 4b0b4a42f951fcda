using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Notifications;
using Portal.Core.Features.Wallet;
using Portal.Core.Localization;

namespace Portal.Core.Features.Payments.BankTransfer;

/// <summary>
/// The one path by which a transfer becomes Confirmed with its ledger credit, used by finance users and by the
/// statement matcher alike. Not authorised here: callers check who may act.
/// </summary>
public sealed class BankTransferSettlement(
    IDbContextFactory<PortalDbContext> dbFactory,
    Ledger ledger,
    ICurrentUser currentUser,
    AuditLog audit,
    EmailOutbox outbox,
    EmailTemplates templates,
    TimeProvider clock)
{
    /// <summary>
    /// Marks a Pending transfer Confirmed and credits <paramref name="received"/> under the key
    /// <c>bank:{bankReference}</c>, in one transaction with the audit entry and the Owners' email. A transfer that
    /// is no longer Pending, or a reference credited before, credits nothing.
    /// </summary>
    public async Task<Result<BankTransferView>> ConfirmAsync(Guid transferId, Money received, string bankReference, CancellationToken cancellationToken = default)
    {
        if (received <= Money.Zero) throw new ArgumentOutOfRangeException(nameof(received));
        var reference = bankReference.Trim();
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);

        BankTransferOrder? order;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            order = await db.BankTransferOrders.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(o => o.Id == transferId, cancellationToken);
            if (order is null) return Error.NotFound("Transfer");
            if (order.Status != BankTransferStatus.Pending) return BankTransferErrors.NotPending;
            // The wallet exists before the posting, so the ledger never retries the claim below (which adds the
            // audit entry and emails to the posting's context).
            await ledger.EnsureWalletAsync(db, order.TenantId, cancellationToken);
        }

        var now = clock.GetUtcNow();
        var actor = currentUser.UserId is null ? "system" : currentUser.Name;
        var tenantId = order.TenantId;
        var posting = new LedgerPosting(tenantId, received, LedgerEntryKind.TopUp, $"bank:{reference}",
            LocalizedText.Encode("Bank transfer {0}", RemittanceCodes.Display(order.RemittanceCode)), "wallet.topped_up", order.RemittanceCode);
        var result = await ledger.PostAsync(posting, async (db, ct) =>
        {
            // NOTE: the claim is a conditional UPDATE (status = Pending) inside the ledger's transaction: of two
            // finance users (or a user and the matcher) confirming at once, one flips the transfer and credits; the
            // other changes no row (after waiting for the winner's row lock on PostgreSQL; SQLite has one writer)
            // and rolls back. The unique ledger key bank:{reference} and the unique bank_reference index are the
            // second line of defence: one bank line can never be credited twice.
            var claimed = await db.BankTransferOrders.IgnoreTenantFilter()
                .Where(o => o.Id == transferId && o.Status == BankTransferStatus.Pending)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(o => o.Status, BankTransferStatus.Confirmed)
                    .SetProperty(o => o.ReceivedAmountMicroYuan, received.MicroYuan)
                    .SetProperty(o => o.BankReference, reference)
                    .SetProperty(o => o.ClosedAt, now)
                    .SetProperty(o => o.DecidedBy, actor), ct) == 1;
            if (!claimed) return false;
            audit.Add(db, "payments.bank_transfer_confirmed", nameof(BankTransferOrder), transferId,
                LocalizedText.Encode("{0} announced {1}, received {2} [{3}]", order.RemittanceCode, order.Amount.ToDisplay(), received.ToDisplay(), reference), tenantId);
            await KycOwnerMail.SendAsync(db, outbox, tenantId, (culture, tenantName) =>
                templates.Notice(culture, "Bank transfer received",
                    "The bank transfer {0} of {1} was received and {2} was credited to the wallet of {3}.",
                    RemittanceCodes.Display(order.RemittanceCode), order.Amount.ToDisplay(), received.ToDisplay(), tenantName),
                "BankTransferConfirmed", ct);
            return true;
        }, cancellationToken);

        if (!result.IsSuccess)
            return result.Error == Ledger.ClaimRejected ? BankTransferErrors.NotPending : result.Error!;
        if (result.Value!.AlreadyApplied)
        {
            // The key existed: either this very transfer was confirmed meanwhile under the same reference, or the
            // reference belongs to another credit. Neither credits again.
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var confirmedHere = await db.BankTransferOrders.IgnoreTenantFilter().AnyAsync(o => o.Id == transferId && o.BankReference == reference, cancellationToken);
            return confirmedHere ? BankTransferErrors.NotPending : BankTransferErrors.ReferenceUsed;
        }

        order.Status = BankTransferStatus.Confirmed;
        order.ReceivedAmountMicroYuan = received.MicroYuan;
        order.BankReference = reference;
        order.ClosedAt = now;
        return BankTransferView.From(order);
    }
}
