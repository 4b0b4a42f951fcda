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

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var held = await HoldAsync(db, tenantId, command.Amount, command.Reason, (member.Value.UserId, currentUser.Name), audit, clock, cancellationToken);
            if (!held.IsSuccess)
            {
                await transaction.RollbackAsync(cancellationToken);
                return held.Error!;
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return RefundView.From(held.Value, []);
        }
    }

    /// <summary>
    /// Holds <paramref name="amount"/> and adds the refund request and its audit entry to <paramref name="db"/>, inside
    /// the caller's transaction (the caller saves and commits). Shared by <see cref="Handler"/> and account closure, so
    /// a closing account's balance goes back through the same queue, holds and payouts as any other refund.
    /// </summary>
    internal static async Task<Result<RefundRequest>> HoldAsync(
        PortalDbContext db, Guid tenantId, Money amount, string? reason, (Guid UserId, string Email) requestedBy, AuditLog audit, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        // NOTE: the wallet row lock first: invoice requests take it too, so the invoiced figures read next cannot
        // change before this refund's hold is committed (and an invoice request then sees the refund in progress).
        await InvoiceableBreakdown.LockAsync(db, tenantId, cancellationToken);
        var refundable = await RefundableBalance.ComputeAsync(db, tenantId, cancellationToken);
        if (amount > refundable.Refundable || !await RefundHolds.TryHoldAsync(db, tenantId, amount, now, cancellationToken))
        {
            return refundable.LimitedByInvoices
                ? RefundErrors.Invoiced(refundable.Refundable, refundable.Invoiced)
                : RefundErrors.ExceedsRefundable(refundable.Refundable);
        }

        reason = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        var refund = new RefundRequest
        {
            Id = Ids.New(),
            TenantId = tenantId,
            RefundNo = RefundNumbers.New(clock),
            AmountMicroYuan = amount.MicroYuan,
            HeldMicroYuan = amount.MicroYuan,
            Status = RefundStatus.Requested,
            Reason = reason,
            RequestedByUserId = requestedBy.UserId,
            RequestedBy = requestedBy.Email,
            RequestedAt = now,
        };
        db.RefundRequests.Add(refund);
        audit.Add(db, "payments.refund_requested", nameof(RefundRequest), refund.Id, LocalizedText.Encode(reason is null ? "{0} {1} held" : "{0} {1} held: {2}", refund.RefundNo, amount.ToDisplay(), reason ?? ""), tenantId);
        return refund;
    }
}
