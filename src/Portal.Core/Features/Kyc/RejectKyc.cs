using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Notifications;
using Portal.Core.Localization;

namespace Portal.Core.Features.Kyc;

/// <summary>An operator (PlatformAdmin) rejects a submitted verification with a reason the tenant reads; the Owners are emailed.</summary>
public static class RejectKyc
{
    public sealed record Command(Guid SubmissionId, string Reason);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.Reason).IsKycReason(l);
        }
    }

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        IValidator<Command> validator,
        ICurrentUser currentUser,
        AuditLog audit,
        EmailOutbox outbox,
        EmailTemplates templates,
        TimeProvider clock)
    {
        public async Task<Result<Unit>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (!currentUser.IsInRole(OperatorRoles.PlatformAdmin)) return KycErrors.OperatorsOnly;
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var submission = await db.KycSubmissions.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(s => s.Id == command.SubmissionId, cancellationToken);
            if (submission is null) return Error.NotFound("Verification");
            if (submission.Status != KycStatus.Submitted) return KycErrors.AlreadyDecided;

            var now = clock.GetUtcNow();
            var actor = currentUser.Name;
            var reason = command.Reason.Trim();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: one conditional UPDATE ... WHERE status = 'Submitted' decides; a concurrent approval or rejection
            // of the same submission changes no row and is told it was already decided (see ApproveKyc).
            var changed = await db.KycSubmissions.IgnoreTenantFilter()
                .Where(s => s.Id == submission.Id && s.Status == KycStatus.Submitted)
                .ExecuteUpdateAsync(u => u
                    .SetProperty(s => s.Status, KycStatus.Rejected)
                    .SetProperty(s => s.DecidedAt, now)
                    .SetProperty(s => s.DecidedBy, actor)
                    .SetProperty(s => s.RejectionReason, reason)
                    .SetProperty(s => s.UpdatedAt, now), cancellationToken);
            if (changed == 0) return KycErrors.AlreadyDecided;

            audit.Add(db, "kyc.rejected", nameof(KycSubmission), submission.Id, LocalizedText.Encode("Rejected {0} verification: {1}. Reason: {2}", LocalizedText.Term(submission.Type), submission.DisplayName, reason), submission.TenantId);
            await KycOwnerMail.SendAsync(db, outbox, submission.TenantId, (culture, tenantName) =>
                templates.Notice(culture, "Real-name verification rejected",
                    "The real-name verification of {0} was rejected. Reason: {1}. Please correct it on the verification page and submit it again.", tenantName, reason),
                "KycRejected", cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return Unit.Value;
        }
    }
}
