using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Localization;

namespace Portal.Core.Features.Payments.BankTransfer;

/// <summary>
/// Finance resolves a statement line in review: links it to a Pending transfer (the confirm rules apply: a different
/// amount needs the explicit flag, and what arrived is credited under <c>bank:{交易流水号}</c>) or marks it unrelated
/// with a note.
/// </summary>
public static class ResolveBankStatementLine
{
    public sealed record Link(Guid LineId, Guid TransferId, bool AcceptDifferentAmount = false);

    public sealed record MarkUnrelated(Guid LineId, string Note);

    public static readonly Error NotInReview = new("BankStatement.NotInReview", "This statement line is not waiting for review.");

    public sealed class Validator : AbstractValidator<MarkUnrelated>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.Note).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage(l["Enter a note."])
                .MaximumLength(1000).WithMessage(l["The note is too long."]);
        }
    }

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        OperatorAccess access,
        ICurrentUser currentUser,
        IValidator<MarkUnrelated> validator,
        BankTransferSettlement settlement,
        AuditLog audit,
        TimeProvider clock)
    {
        public async Task<Result<BankTransferView>> LinkAsync(Link command, CancellationToken cancellationToken = default)
        {
            BankStatementLine? line;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                var actor = await access.RequireFinanceAsync(db, cancellationToken);
                if (!actor.IsSuccess) return actor.Error!;
                line = await db.BankStatementLines.AsNoTracking().FirstOrDefaultAsync(l => l.Id == command.LineId, cancellationToken);
                if (line is null) return Error.NotFound("Statement line");
                if (line.Status != BankStatementLineStatus.Review) return NotInReview;
                var transfer = await db.BankTransferOrders.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(o => o.Id == command.TransferId, cancellationToken);
                if (transfer is null) return Error.NotFound("Transfer");
                if (transfer.Status != BankTransferStatus.Pending) return BankTransferErrors.NotPending;
                if (transfer.AmountMicroYuan != line.AmountMicroYuan && !command.AcceptDifferentAmount) return BankTransferErrors.AmountDiffers;
            }

            // NOTE: the credit is idempotent by the line's 交易流水号 (ledger key) and the transfer's conditional
            // Pending → Confirmed claim, so two finance users linking at once credit once.
            var confirmed = await settlement.ConfirmAsync(command.TransferId, line.Amount, line.TransactionId, cancellationToken);
            if (!confirmed.IsSuccess) return confirmed.Error!;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                await db.BankStatementLines.Where(l => l.Id == line.Id && l.Status == BankStatementLineStatus.Review)
                    .ExecuteUpdateAsync(s => s.SetProperty(l => l.Status, BankStatementLineStatus.Credited).SetProperty(l => l.TransferId, command.TransferId)
                        .SetProperty(l => l.ResolvedBy, currentUser.Name).SetProperty(l => l.ResolvedAt, clock.GetUtcNow()), cancellationToken);
            }

            return confirmed;
        }

        public async Task<Result<Unit>> MarkUnrelatedAsync(MarkUnrelated command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireFinanceAsync(db, cancellationToken);
            if (!actor.IsSuccess) return actor.Error!;
            var note = command.Note.Trim();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: conditional on Review, so a line linked meanwhile is not also marked unrelated.
            var changed = await db.BankStatementLines.Where(l => l.Id == command.LineId && l.Status == BankStatementLineStatus.Review)
                .ExecuteUpdateAsync(s => s.SetProperty(l => l.Status, BankStatementLineStatus.Unrelated).SetProperty(l => l.Detail, note)
                    .SetProperty(l => l.ResolvedBy, currentUser.Name).SetProperty(l => l.ResolvedAt, clock.GetUtcNow()), cancellationToken);
            if (changed == 0) return NotInReview;
            audit.Add(db, "payments.bank_line_unrelated", nameof(BankStatementLine), command.LineId, LocalizedText.Encode("{0}", note), null);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return Unit.Value;
        }
    }
}
