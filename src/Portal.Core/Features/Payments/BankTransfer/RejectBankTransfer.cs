using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Notifications;
using Portal.Core.Localization;

namespace Portal.Core.Features.Payments.BankTransfer;

/// <summary>A finance user rejects a Pending transfer with a reason (e.g. nothing arrived); the tenant's Owners are emailed.</summary>
public static class RejectBankTransfer
{
    public sealed record Command(Guid TransferId, string Reason);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.Reason).IsDecisionReason(l);
        }
    }

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        OperatorAccess access,
        IValidator<Command> validator,
        ICurrentUser currentUser,
        AuditLog audit,
        EmailOutbox outbox,
        EmailTemplates templates,
        TimeProvider clock)
    {
        public async Task<Result<BankTransferView>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireFinanceAsync(db, cancellationToken);
            if (!actor.IsSuccess) return actor.Error!;
            var order = await db.BankTransferOrders.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(o => o.Id == command.TransferId, cancellationToken);
            if (order is null) return Error.NotFound("Transfer");

            var now = clock.GetUtcNow();
            var reason = command.Reason.Trim();
            using var platform = db.EnterPlatformScope();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: conditional UPDATE on Pending: racing a confirmation, exactly one decision is recorded.
            var changed = await db.BankTransferOrders.IgnoreTenantFilter()
                .Where(o => o.Id == order.Id && o.Status == BankTransferStatus.Pending)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(o => o.Status, BankTransferStatus.Rejected)
                    .SetProperty(o => o.RejectionReason, reason)
                    .SetProperty(o => o.ClosedAt, now)
                    .SetProperty(o => o.DecidedBy, currentUser.Name), cancellationToken);
            if (changed == 0) return BankTransferErrors.NotPending;
            audit.Add(db, "payments.bank_transfer_rejected", nameof(BankTransferOrder), order.Id, LocalizedText.Encode("{0}: {1}", order.RemittanceCode, reason), order.TenantId);
            await KycOwnerMail.SendAsync(db, outbox, order.TenantId, (culture, tenantName) =>
                templates.Notice(culture, "Bank transfer rejected",
                    "The bank transfer {0} of {1} for {2} was rejected: {3}",
                    RemittanceCodes.Display(order.RemittanceCode), order.Amount.ToDisplay(), tenantName, reason),
                "BankTransferRejected", cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            order.Status = BankTransferStatus.Rejected;
            order.RejectionReason = reason;
            order.ClosedAt = now;
            return BankTransferView.From(order);
        }
    }
}
