using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Localization;

namespace Portal.Core.Features.Wallet;

/// <summary>An operator records what was found about a broken ledger invariant; the banner goes away. Audited.</summary>
public static class AcknowledgeInvariantAlert
{
    public sealed record Command(Guid AlertId, string Note);

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
            var alert = await db.WalletInvariantAlerts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == command.AlertId, cancellationToken);
            if (alert is null) return Error.NotFound("Alert");

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: conditional on still being open, so two operators acknowledging at once record one note.
            var updated = await db.WalletInvariantAlerts.Where(a => a.Id == command.AlertId && a.AcknowledgedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.AcknowledgedAt, clock.GetUtcNow()).SetProperty(a => a.AcknowledgedBy, currentUser.Name).SetProperty(a => a.Note, command.Note.Trim()), cancellationToken);
            if (updated == 0) return new Error("Wallet.AlertAlreadyAcknowledged", "Someone already acknowledged this alert.");
            audit.Add(db, "wallet.invariant_acknowledged", nameof(WalletInvariantAlert), alert.Id, LocalizedText.Encode("{0}", command.Note.Trim()), alert.TenantId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return Unit.Value;
        }
    }
}
