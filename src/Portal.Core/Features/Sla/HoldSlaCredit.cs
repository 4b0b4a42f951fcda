using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Invoices;
using Portal.Core.Localization;

namespace Portal.Core.Features.Sla;

/// <summary>
/// An operator (PlatformFinance or PlatformAdmin) holds a tenant's SLA credit for a completed month with a reason, so
/// the monthly run does not pay it; or releases the hold, which pays it at once (through the same ledger key, so at
/// most once). A credit already paid cannot be held. Both are audited.
/// </summary>
public static class HoldSlaCredit
{
    /// <param name="TenantId">Whose credit.</param>
    /// <param name="Month">yyyyMM (Beijing time), a month that has ended.</param>
    /// <param name="Hold">True to hold, false to release.</param>
    /// <param name="Reason">Why it is held (required to hold).</param>
    public sealed record Command(Guid TenantId, int Month, bool Hold, string? Reason);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.Month).Must(m => StatementMonths.IsValid(m / 100, m % 100)).WithMessage(l["Choose a month."]);
            When(c => c.Hold, () => RuleFor(c => c.Reason).Cascade(CascadeMode.Stop)
                .Must(r => !string.IsNullOrWhiteSpace(r)).WithMessage(l["Enter the reason for holding the credit."])
                .Must(r => r!.Trim().Length <= 500).WithMessage(l["The reason is too long (at most 500 characters)."]));
        }
    }

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, OperatorAccess access, ICurrentUser currentUser, IValidator<Command> validator, SlaCredits credits, AuditLog audit, TimeProvider clock)
    {
        public async Task<Result<SlaCredit>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireFinanceAsync(db, cancellationToken);
            if (!actor.IsSuccess) return actor.Error!;
            if (!await db.Tenants.AnyAsync(t => t.Id == command.TenantId, cancellationToken)) return Error.NotFound("Tenant");
            var (year, month) = SlaMonths.Split(command.Month);
            var now = clock.GetUtcNow();
            if (!StatementMonths.IsComplete(year, month, now)) return SlaErrors.MonthNotOver;

            return command.Hold ? await HoldAsync(db, command, year, month, now, cancellationToken) : await ReleaseAsync(db, command, cancellationToken);
        }

        private async Task<Result<SlaCredit>> HoldAsync(PortalDbContext db, Command command, int year, int month, DateTimeOffset now, CancellationToken cancellationToken)
        {
            var reason = command.Reason!.Trim();
            var row = await SlaCredits.FindAsync(db, command.TenantId, command.Month, cancellationToken);
            if (row is null)
            {
                // Before the run: the row is created held from the figures as they are now (the run refreshes them).
                var computation = await credits.ComputeAsync(command.TenantId, year, month, cancellationToken);
                if (computation is null) return SlaErrors.NoPolicy;
                row = await credits.RecordAsync(command.TenantId, command.Month, computation,
                    new SlaCredit { HoldReason = reason, HeldBy = currentUser.Name, HeldAt = now }, cancellationToken);
            }

            using var platform = db.EnterPlatformScope();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: conditional on not being credited, so a hold racing the credit's claim (Pending → Credited) loses
            // cleanly: one UPDATE wins the row.
            var held = await db.Set<SlaCredit>().IgnoreTenantFilter()
                .Where(c => c.Id == row.Id && c.Status != SlaCreditStatus.Credited)
                .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, SlaCreditStatus.Held)
                    .SetProperty(c => c.HoldReason, reason).SetProperty(c => c.HeldBy, currentUser.Name).SetProperty(c => c.HeldAt, now), cancellationToken);
            if (held == 0) return SlaErrors.AlreadyCredited;
            audit.Add(db, "sla.credit_held", nameof(SlaCredit), row.Id, LocalizedText.Encode("{0} {1}: {2}", SlaMonths.Text(command.Month), row.Amount.ToDisplay(), reason), command.TenantId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return (await SlaCredits.FindAsync(db, command.TenantId, command.Month, cancellationToken))!;
        }

        private async Task<Result<SlaCredit>> ReleaseAsync(PortalDbContext db, Command command, CancellationToken cancellationToken)
        {
            var row = await SlaCredits.FindAsync(db, command.TenantId, command.Month, cancellationToken);
            if (row is null) return SlaErrors.NotHeld;
            using (db.EnterPlatformScope())
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                var released = await db.Set<SlaCredit>().IgnoreTenantFilter()
                    .Where(c => c.Id == row.Id && c.Status == SlaCreditStatus.Held)
                    .ExecuteUpdateAsync(s => s.SetProperty(c => c.Status, c => c.AmountMicroYuan > 0 ? SlaCreditStatus.Pending : SlaCreditStatus.NoBreach), cancellationToken);
                if (released == 0) return SlaErrors.NotHeld;
                audit.Add(db, "sla.credit_released", nameof(SlaCredit), row.Id, LocalizedText.Encode("{0} {1}", SlaMonths.Text(command.Month), row.Amount.ToDisplay()), command.TenantId);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            row = (await SlaCredits.FindAsync(db, command.TenantId, command.Month, cancellationToken))!;
            await credits.CreditAsync(row, cancellationToken);
            return (await SlaCredits.FindAsync(db, command.TenantId, command.Month, cancellationToken))!;
        }
    }
}
