using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Notifications;
using Portal.Core.Localization;

namespace Portal.Core.Features.Invoices;

/// <summary>Finance refuses a Pending request with a reason; the amount becomes invoiceable again and the tenant is emailed.</summary>
public static class RejectInvoice
{
    public sealed record Command(Guid InvoiceId, string Reason);

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
        public async Task<Result<Invoice>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireFinanceAsync(db, cancellationToken);
            if (!actor.IsSuccess) return actor.Error!;
            var invoice = await db.Invoices.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(i => i.Id == command.InvoiceId, cancellationToken);
            if (invoice is null) return Error.NotFound("Invoice");

            var now = clock.GetUtcNow();
            var reason = command.Reason.Trim();
            using var platform = db.EnterPlatformScope();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: conditional UPDATE on Pending: racing an issue or a cancellation, exactly one decision is recorded.
            var changed = await db.Invoices.IgnoreTenantFilter().Where(i => i.Id == invoice.Id && i.Status == InvoiceStatus.Pending)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.Status, InvoiceStatus.Rejected)
                    .SetProperty(i => i.RejectionReason, reason)
                    .SetProperty(i => i.ClosedAt, now)
                    .SetProperty(i => i.ClosedBy, currentUser.Name), cancellationToken);
            if (changed == 0) return InvoiceErrors.NotPending;
            audit.Add(db, "invoices.rejected", nameof(Invoice), invoice.Id, LocalizedText.Encode("{0} {1}: {2}", LocalizedText.Term(invoice.Type), invoice.Amount.ToDisplay(), reason), invoice.TenantId);
            var culture = await IssueInvoice.Handler.RecipientCultureAsync(db, invoice, cancellationToken);
            outbox.Add(db, invoice.RecipientEmail,
                templates.Notice(culture, "Invoice request rejected", "Your request for an invoice of {0} to {1} was rejected: {2}",
                    invoice.Amount.ToDisplay(), invoice.BuyerTitle, reason),
                "InvoiceRejected");
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            invoice.Status = InvoiceStatus.Rejected;
            invoice.RejectionReason = reason;
            invoice.ClosedAt = now;
            return invoice;
        }
    }
}
