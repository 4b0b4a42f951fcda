using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Notifications;
using Portal.Core.Localization;

namespace Portal.Core.Features.Invoices;

/// <summary>
/// Finance (PlatformFinance or PlatformAdmin) issues a Pending invoice: it gets the next number of the year, the
/// issuer renders the document, the PDF is stored and emailed (as an attachment) to the tenant's invoice address.
/// </summary>
public static class IssueInvoice
{
    public sealed record Command(Guid InvoiceId);

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        OperatorAccess access,
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
            var settings = options.CurrentValue;
            if (!settings.IsConfigured) return InvoiceErrors.NotConfigured;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireFinanceAsync(db, cancellationToken);
            if (!actor.IsSuccess) return actor.Error!;
            var found = await db.Invoices.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(i => i.Id == command.InvoiceId, cancellationToken);
            if (found is null) return Error.NotFound("Invoice");
            if (found.Status != InvoiceStatus.Pending) return InvoiceErrors.NotPending;

            var now = clock.GetUtcNow();
            var issuedOn = DateOnly.FromDateTime(ChinaTime.ToChina(now).DateTime);
            await EnsureCounterAsync(db, issuedOn.Year, cancellationToken);

            using var platform = db.EnterPlatformScope();
            string? storedKey = null;
            try
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                // NOTE: the claim (Pending → Issued, a conditional UPDATE) comes first, then the year's counter row
                // (UPDATE last_number + 1, which holds its lock to commit). Both roll back together if anything below
                // fails, so numbers are handed out without gaps, and two finance users issuing the same request at
                // once get one number between them. The lock order (invoice row, then counter) is the same for everyone.
                var claimed = await db.Invoices.IgnoreTenantFilter()
                    .Where(i => i.Id == found.Id && i.Status == InvoiceStatus.Pending)
                    .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, InvoiceStatus.Issued), cancellationToken);
                if (claimed == 0) return InvoiceErrors.NotPending;
                await db.InvoiceNumberCounters.Where(c => c.Year == issuedOn.Year)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastNumber, c => c.LastNumber + 1), cancellationToken);
                var sequence = await db.InvoiceNumberCounters.Where(c => c.Year == issuedOn.Year).Select(c => c.LastNumber).SingleAsync(cancellationToken);

                var invoice = await db.Invoices.IgnoreTenantFilter().SingleAsync(i => i.Id == found.Id, cancellationToken);
                var seller = settings.Seller;
                invoice.Number = InvoiceFiles.Number(issuedOn.Year, sequence);
                invoice.IssuedAt = now;
                invoice.IssuedOn = issuedOn;
                invoice.IssuedBy = currentUser.Name;
                invoice.Issuer = issuer.Name;
                invoice.SellerName = seller.Name;
                invoice.SellerTaxpayerId = seller.TaxpayerId;
                invoice.SellerAddressPhone = seller.AddressAndPhone;
                invoice.SellerBankAccount = seller.BankAndAccount;
                invoice.VerificationCode = VerificationCodes.New();

                var document = InvoiceFiles.Document(invoice, settings.VerificationUrl(portal.Value, invoice.VerificationCode), branding.CurrentValue.PlatformName);
                var pdf = await issuer.IssueAsync(document, cancellationToken);
                storedKey = await InvoiceFiles.StoreAsync(files, pdf, ".pdf", cancellationToken, within: db);
                invoice.PdfFileKey = storedKey;

                audit.Add(db, "invoices.issued", nameof(Invoice), invoice.Id,
                    LocalizedText.Encode("{0} {1} {2} {3} → {4}", invoice.Number!, LocalizedText.Term(invoice.Type), invoice.Amount.ToDisplay(), invoice.BuyerTitle, invoice.RecipientEmail), invoice.TenantId);
                var culture = await RecipientCultureAsync(db, invoice, cancellationToken);
                outbox.Add(db, invoice.RecipientEmail,
                    templates.Notice(culture, "Invoice {0} issued", "Invoice {0} for {1}, {2}, is attached. You can also download it on the invoices page.",
                        invoice.Number, invoice.BuyerTitle, invoice.Amount.ToDisplay()),
                    "InvoiceIssued", (storedKey, InvoiceFiles.FileName(invoice)));
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                storedKey = null;
                return invoice;
            }
            finally
            {
                if (storedKey is not null)
                {
                    // Rolled back after the PDF was stored: no invoice refers to it.
                    logger.LogWarning("Issuing invoice {InvoiceId} failed after its PDF was stored; deleting {Key}", found.Id, storedKey);
                    await files.DeleteAsync(storedKey, CancellationToken.None);
                }
            }
        }

        /// <summary>The year's counter row exists before the issuing transaction, so that transaction only ever UPDATEs it.</summary>
        private static async Task EnsureCounterAsync(PortalDbContext db, int year, CancellationToken cancellationToken)
        {
            if (await db.InvoiceNumberCounters.AnyAsync(c => c.Year == year, cancellationToken)) return;
            db.InvoiceNumberCounters.Add(new InvoiceNumberCounter { Year = year, LastNumber = 0 });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                // NOTE: another issuer created the year's row first; the primary key kept one.
            }
            finally
            {
                db.ChangeTracker.Clear();
            }
        }

        /// <summary>The language of the user whose address receives invoices, else that of the requester, else Chinese.</summary>
        internal static async Task<string> RecipientCultureAsync(PortalDbContext db, Invoice invoice, CancellationToken cancellationToken) =>
            await db.Users.Where(u => u.Email == invoice.RecipientEmail || u.Id == invoice.RequestedByUserId)
                .OrderBy(u => u.Email == invoice.RecipientEmail ? 0 : 1)
                .Select(u => u.Culture).FirstOrDefaultAsync(cancellationToken) ?? "zh-CN";
    }
}
