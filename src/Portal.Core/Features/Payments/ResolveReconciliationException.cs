using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Localization;

namespace Portal.Core.Features.Payments;

/// <summary>Finance closes a reconciliation exception with a note saying what was done. PlatformFinance or PlatformAdmin; audited.</summary>
public static class ResolveReconciliationException
{
    public sealed record Command(Guid ExceptionId, string Note);

    public static readonly Error AlreadyResolved = new("Payments.AlreadyResolved", "This exception was already resolved.");

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l) =>
            RuleFor(c => c.Note).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage(l["Enter a note."])
                .MaximumLength(1000).WithMessage(l["The note is too long."]);
    }

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, OperatorAccess access, IValidator<Command> validator, ICurrentUser currentUser, AuditLog audit, TimeProvider clock)
    {
        public async Task<Result<Unit>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireFinanceAsync(db, cancellationToken);
            if (!actor.IsSuccess) return actor.Error!;
            var item = await db.ReconciliationExceptions.AsNoTracking().FirstOrDefaultAsync(r => r.Id == command.ExceptionId, cancellationToken);
            if (item is null) return Error.NotFound("ReconciliationException");

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: conditional on still being open: of two operators resolving at once, one note is kept.
            var updated = await db.ReconciliationExceptions.Where(r => r.Id == command.ExceptionId && r.ResolvedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.ResolvedAt, clock.GetUtcNow()).SetProperty(r => r.ResolvedBy, currentUser.Name).SetProperty(r => r.ResolutionNote, command.Note.Trim()), cancellationToken);
            if (updated == 0) return AlreadyResolved;
            audit.Add(db, "payments.reconciliation_resolved", nameof(ReconciliationException), item.Id, LocalizedText.Encode("{0} {1}: {2}", LocalizedText.Term(item.Issue), item.OutTradeNo, command.Note.Trim()), item.TenantId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return Unit.Value;
        }
    }
}
