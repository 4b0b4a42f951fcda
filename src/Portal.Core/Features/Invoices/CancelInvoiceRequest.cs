using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Tenants;
using Portal.Core.Localization;

namespace Portal.Core.Features.Invoices;

/// <summary>The tenant withdraws a Pending request (wrong amount or type); the amount becomes invoiceable again.</summary>
public static class CancelInvoiceRequest
{
    public sealed record Command(Guid InvoiceId);

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, ICurrentUser currentUser, AuditLog audit, TimeProvider clock)
    {
        public async Task<Result<Unit>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, InvoiceRoles.Allowed);
            if (!member.IsSuccess) return member.Error!;
            var invoice = await db.Invoices.AsNoTracking().FirstOrDefaultAsync(i => i.Id == command.InvoiceId, cancellationToken);
            if (invoice is null) return Error.NotFound("Invoice");

            var now = clock.GetUtcNow();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: conditional UPDATE on Pending: racing finance's decision, exactly one outcome is recorded.
            var changed = await db.Invoices.Where(i => i.Id == invoice.Id && i.Status == InvoiceStatus.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, InvoiceStatus.Cancelled).SetProperty(i => i.ClosedAt, now).SetProperty(i => i.ClosedBy, currentUser.Name), cancellationToken);
            if (changed == 0) return InvoiceErrors.NotPending;
            audit.Add(db, "invoices.cancelled", nameof(Invoice), invoice.Id, LocalizedText.Encode("{0} {1}", LocalizedText.Term(invoice.Type), invoice.Amount.ToDisplay()), invoice.TenantId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return Unit.Value;
        }
    }
}
