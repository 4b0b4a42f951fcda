using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Payments.Refunds;

/// <summary>An Owner or Finance member withdraws a refund finance has not decided yet; the hold is released.</summary>
public static class CancelRefund
{
    public sealed record Command(Guid RefundId);

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, ICurrentUser currentUser, AuditLog audit, TimeProvider clock)
    {
        public async Task<Result<RefundView>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, RequestRefund.RefundingRoles);
            if (!member.IsSuccess) return member.Error!;
            var refund = await db.RefundRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == command.RefundId, cancellationToken);
            if (refund is null) return Error.NotFound("Refund");

            var now = clock.GetUtcNow();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await RefundHolds.LockWalletAsync(db, refund.TenantId, now, cancellationToken);
            // NOTE: conditional UPDATE on Requested: racing an approval or a rejection, exactly one decision is
            // recorded, and the hold is released only by the one that moved the refund out of Requested.
            var changed = await db.RefundRequests.Where(r => r.Id == refund.Id && r.Status == RefundStatus.Requested)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RefundStatus.Cancelled).SetProperty(r => r.HeldMicroYuan, 0L)
                    .SetProperty(r => r.DecidedBy, currentUser.Name).SetProperty(r => r.DecidedAt, now), cancellationToken);
            if (changed == 0) return RefundErrors.NotRequested;
            await RefundHolds.ReleaseAsync(db, refund.TenantId, refund.Held, now, cancellationToken);
            audit.Add(db, "payments.refund_cancelled", nameof(RefundRequest), refund.Id, LocalizedText.Encode("{0} {1} released", refund.RefundNo, refund.Amount.ToDisplay()), refund.TenantId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            refund.Status = RefundStatus.Cancelled;
            refund.HeldMicroYuan = 0;
            refund.DecidedBy = currentUser.Name;
            refund.DecidedAt = now;
            return RefundView.From(refund, []);
        }
    }
}
