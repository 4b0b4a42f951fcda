using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Notifications;
using Portal.Core.Localization;

namespace Portal.Core.Features.Invoices;

/// <summary>
/// Finance voids (作废) an issued invoice with a reason: the amount becomes invoiceable again, the original PDF is
/// kept, and a copy stamped 作废 with the reason becomes the one people download. The verification page says void.
/// </summary>
public static class VoidInvoice
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
        IInvoiceIssuer issuer,
        IFileStore files,
        AuditLog audit,
        EmailOutbox outbox,
        EmailTemplates templates,
        IOptionsMonitor<InvoiceOptions> options,
        IOptionsMonitor<BrandingOptions> branding,
        IOptions<PortalOptions> portal,
        TimeProvider clock,
        ILogger<Handler> logger)
    {
        public async Task<Result<Invoice>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireFinanceAsync(db, cancellationToken);
            if (!actor.IsSuccess) return actor.Error!;
            var found = await db.Invoices.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(i => i.Id == command.InvoiceId, cancellationToken);
            if (found is null) return Error.NotFound("Invoice");
            if (found.Status != InvoiceStatus.Issued) return InvoiceErrors.NotIssued;

            var now = clock.GetUtcNow();
            var reason = command.Reason.Trim();
            using var platform = db.EnterPlatformScope();
            string? storedKey = null;
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                // NOTE: conditional UPDATE on Issued: two finance users voiding at once record one void and one stamp.
                var changed = await db.Invoices.IgnoreTenantFilter().Where(i => i.Id == found.Id && i.Status == InvoiceStatus.Issued)
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(i => i.Status, InvoiceStatus.Voided)
                        .SetProperty(i => i.VoidReason, reason)
                        .SetProperty(i => i.ClosedAt, now)
                        .SetProperty(i => i.ClosedBy, currentUser.Name), cancellationToken);
                if (changed == 0) return InvoiceErrors.NotIssued;

                var invoice = await db.Invoices.IgnoreTenantFilter().SingleAsync(i => i.Id == found.Id, cancellationToken);
                var document = InvoiceFiles.Document(invoice, options.CurrentValue.VerificationUrl(portal.Value, invoice.VerificationCode!), branding.CurrentValue.PlatformName, asVoid: true);
                storedKey = await InvoiceFiles.StoreAsync(files, await issuer.VoidAsync(document, cancellationToken), ".pdf", cancellationToken, within: db);
                invoice.VoidPdfFileKey = storedKey;
                audit.Add(db, "invoices.voided", nameof(Invoice), invoice.Id, LocalizedText.Encode("{0} {1}: {2}", invoice.Number ?? "", invoice.Amount.ToDisplay(), reason), invoice.TenantId);
                var culture = await IssueInvoice.Handler.RecipientCultureAsync(db, invoice, cancellationToken);
                outbox.Add(db, invoice.RecipientEmail,
                    templates.Notice(culture, "Invoice {0} voided", "Invoice {0} of {1} to {2} was voided: {3}. The amount can be invoiced again.",
                        invoice.Number!, invoice.Amount.ToDisplay(), invoice.BuyerTitle, reason),
                    "InvoiceVoided");
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                storedKey = null;
                return invoice;
            }
            finally
            {
                if (storedKey is not null)
                {
                    logger.LogWarning("Voiding invoice {InvoiceId} failed after its stamped PDF was stored; deleting {Key}", found.Id, storedKey);
                    await files.DeleteAsync(storedKey, CancellationToken.None);
                }
            }
        }
    }
}
