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

namespace Portal.Core.Features.Payments.Refunds;

/// <summary>A finance user refuses a requested refund with a reason; the hold is released and the Owners are emailed.</summary>
public static class RejectRefund
{
    public sealed record Command(Guid RefundId, string Reason);

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
        public async Task<Result<RefundView>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireFinanceAsync(db, cancellationToken);
            if (!actor.IsSuccess) return actor.Error!;
            var refund = await db.RefundRequests.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(r => r.Id == command.RefundId, cancellationToken);
            if (refund is null) return Error.NotFound("Refund");

            var now = clock.GetUtcNow();
            var reason = command.Reason.Trim();
            using var platform = db.EnterPlatformScope();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await RefundHolds.LockWalletAsync(db, refund.TenantId, now, cancellationToken);
            // NOTE: conditional UPDATE on Requested: of two finance users (or a user and the tenant cancelling) one
            // decision is recorded, and only that one releases the hold.
            var changed = await db.RefundRequests.IgnoreTenantFilter().Where(r => r.Id == refund.Id && r.Status == RefundStatus.Requested)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, RefundStatus.Rejected).SetProperty(r => r.HeldMicroYuan, 0L)
                    .SetProperty(r => r.RejectionReason, reason).SetProperty(r => r.DecidedBy, currentUser.Name).SetProperty(r => r.DecidedAt, now), cancellationToken);
            if (changed == 0) return RefundErrors.NotRequested;
            await RefundHolds.ReleaseAsync(db, refund.TenantId, refund.Held, now, cancellationToken);
            audit.Add(db, "payments.refund_rejected", nameof(RefundRequest), refund.Id, LocalizedText.Encode("{0} {1}: {2}", refund.RefundNo, refund.Amount.ToDisplay(), reason), refund.TenantId);
            await KycOwnerMail.SendAsync(db, outbox, refund.TenantId, (culture, tenantName) =>
                templates.Notice(culture, "Refund rejected",
                    "The refund {0} of {1} for {2} was rejected: {3} The amount is available in your balance again.",
                    refund.RefundNo, refund.Amount.ToDisplay(), tenantName, reason),
                "RefundRejected", cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            refund.Status = RefundStatus.Rejected;
            refund.HeldMicroYuan = 0;
            refund.RejectionReason = reason;
            refund.DecidedBy = currentUser.Name;
            refund.DecidedAt = now;
            return RefundView.From(refund, []);
        }
    }
}
