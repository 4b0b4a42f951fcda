using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Payments.BankTransfer;

/// <summary>A tenant withdraws a Pending transfer; its code is no longer matched. Money that arrives anyway goes to review.</summary>
public static class CancelBankTransfer
{
    public sealed record Command(Guid TransferId);

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, AuditLog audit, TimeProvider clock)
    {
        public async Task<Result<BankTransferView>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, CreateTopUp.PayingRoles);
            if (!member.IsSuccess) return member.Error!;
            var order = await db.BankTransferOrders.AsNoTracking().FirstOrDefaultAsync(o => o.Id == command.TransferId, cancellationToken);
            if (order is null) return Error.NotFound("Transfer");

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: conditional UPDATE on Pending: a finance user confirming at the same moment either wins (the
            // cancel changes no row and is refused) or finds the transfer Cancelled and confirms nothing.
            var changed = await db.BankTransferOrders.Where(o => o.Id == order.Id && o.Status == BankTransferStatus.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, BankTransferStatus.Cancelled).SetProperty(o => o.ClosedAt, clock.GetUtcNow()), cancellationToken);
            if (changed == 0) return BankTransferErrors.NotPending;
            audit.Add(db, "payments.bank_transfer_cancelled", nameof(BankTransferOrder), order.Id, LocalizedText.Encode("{0}", order.RemittanceCode), order.TenantId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            order.Status = BankTransferStatus.Cancelled;
            return BankTransferView.From(order);
        }
    }
}
