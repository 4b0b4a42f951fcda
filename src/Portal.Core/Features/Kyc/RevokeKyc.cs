using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Notifications;
using Portal.Core.Localization;

namespace Portal.Core.Features.Kyc;

/// <summary>
/// An operator (PlatformAdmin) revokes an approved verification with a reason; the Owners are emailed and the
/// <see cref="IKycGate"/> closes again. The tenant may submit a new verification afterwards.
/// </summary>
public static class RevokeKyc
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
        TimeProvider clock,
        IRelayCache relayCache)
    {
        public async Task<Result<Unit>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (!currentUser.IsInRole(OperatorRoles.PlatformAdmin)) return KycErrors.OperatorsOnly;
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var submission = await db.KycSubmissions.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(s => s.Id == command.SubmissionId, cancellationToken);
            if (submission is null) return Error.NotFound("Verification");
            if (submission.Status != KycStatus.Approved) return KycErrors.NotApproved;

            var now = clock.GetUtcNow();
            var actor = currentUser.Name;
            var reason = command.Reason.Trim();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: conditional UPDATE ... WHERE status = 'Approved': two operators revoking at once record one revocation.
            var changed = await db.KycSubmissions.IgnoreTenantFilter()
                .Where(s => s.Id == submission.Id && s.Status == KycStatus.Approved)
                .ExecuteUpdateAsync(u => u
                    .SetProperty(s => s.Status, KycStatus.Revoked)
                    .SetProperty(s => s.RevokedAt, now)
                    .SetProperty(s => s.RevokedBy, actor)
                    .SetProperty(s => s.RevocationReason, reason)
                    .SetProperty(s => s.UpdatedAt, now), cancellationToken);
            if (changed == 0) return KycErrors.NotApproved;

            audit.Add(db, "kyc.revoked", nameof(KycSubmission), submission.Id, LocalizedText.Encode("Revoked {0} verification: {1}. Reason: {2}", LocalizedText.Term(submission.Type), submission.DisplayName, reason), submission.TenantId);
            await KycOwnerMail.SendAsync(db, outbox, submission.TenantId, (culture, tenantName) =>
                templates.Notice(culture, "Real-name verification revoked",
                    "The real-name verification of {0} was revoked. Reason: {1}. Top-ups, plans, API keys and invoices are closed until a new verification is approved.", tenantName, reason),
                "KycRevoked", cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            // The relay caches the gate for at most 5 s on other replicas; on this one the change applies at once.
            relayCache.TenantChanged(submission.TenantId);
            return Unit.Value;
        }
    }
}
