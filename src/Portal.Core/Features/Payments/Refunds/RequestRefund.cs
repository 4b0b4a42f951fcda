using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Invoices;
using Portal.Core.Features.Tenants;
using Portal.Core.Localization;

namespace Portal.Core.Features.Payments.Refunds;

/// <summary>
/// An Owner or Finance member asks for unused cash balance back. The amount (whole fen, at most the refundable
/// balance: Balance − Reserved, never credit line or plan credit, never money already invoiced) is held in the wallet
/// at once, so it cannot be spent (or invoiced) while finance decides. No real-name verification is needed to get
/// one's own money back.
/// </summary>
public static class RequestRefund
{
    public sealed record Command(Money Amount, string? Reason);

    public static readonly TenantRole[] RefundingRoles = [TenantRole.Owner, TenantRole.Finance];

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.Amount).Cascade(CascadeMode.Stop)
                .Must(a => a > Money.Zero).WithMessage(l["Enter the amount to refund."])
                .Must(a => a.IsWholeFen).WithMessage(l["Enter an amount in yuan with at most two decimals."]);
            RuleFor(c => c.Reason).MaximumLength(500).WithMessage(l["The reason is too long."]);
        }
    }

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        TenantAccess access,
        IValidator<Command> validator,
        ICurrentUser currentUser,
        AuditLog audit,
        TimeProvider clock)
    {
        /// <summary>Null when the caller may request refunds; otherwise why not (role).</summary>
        public async Task<Error?> CheckAllowedAsync(CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, RefundingRoles);
            return member.IsSuccess ? null : member.Error;
        }

        public async Task<Result<RefundView>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, RefundingRoles);
            if (!member.IsSuccess) return member.Error!;
            var tenantId = member.Value!.TenantId;

            var now = clock.GetUtcNow();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: the wallet row lock first: invoice requests take it too, so the invoiced figures read next cannot
            // change before this refund's hold is committed (and an invoice request then sees the refund in progress).
            await InvoiceableBreakdown.LockAsync(db, tenantId, cancellationToken);
            var refundable = await RefundableBalance.ComputeAsync(db, tenantId, cancellationToken);
            if (command.Amount > refundable.Refundable || !await RefundHolds.TryHoldAsync(db, tenantId, command.Amount, now, cancellationToken))
            {
                await transaction.RollbackAsync(cancellationToken);
                return refundable.LimitedByInvoices
                    ? RefundErrors.Invoiced(refundable.Refundable, refundable.Invoiced)
                    : RefundErrors.ExceedsRefundable(refundable.Refundable);
            }

            var reason = string.IsNullOrWhiteSpace(command.Reason) ? null : command.Reason.Trim();
            var refund = new RefundRequest
            {
                Id = Ids.New(),
                TenantId = tenantId,
                RefundNo = RefundNumbers.New(clock),
                AmountMicroYuan = command.Amount.MicroYuan,
                HeldMicroYuan = command.Amount.MicroYuan,
                Status = RefundStatus.Requested,
                Reason = reason,
                RequestedByUserId = member.Value.UserId,
                RequestedBy = currentUser.Name,
                RequestedAt = now,
            };
            db.RefundRequests.Add(refund);
            audit.Add(db, "payments.refund_requested", nameof(RefundRequest), refund.Id, $"{refund.RefundNo} {command.Amount.ToDisplay()} held{(reason is null ? "" : ": " + reason)}", tenantId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return RefundView.From(refund, []);
        }
    }
}
