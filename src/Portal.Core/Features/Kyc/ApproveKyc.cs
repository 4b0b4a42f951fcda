using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Notifications;
using Portal.Core.Localization;

namespace Portal.Core.Features.Kyc;

/// <summary>
/// An operator (PlatformAdmin) approves a submitted verification; the tenant's Owners are emailed. Opens the
/// <see cref="IKycGate"/>. A credit code already approved for another tenant is refused by the database.
/// </summary>
public static class ApproveKyc
{
    public sealed record Command(Guid SubmissionId);

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
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
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var submission = await db.KycSubmissions.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(s => s.Id == command.SubmissionId, cancellationToken);
            if (submission is null) return Error.NotFound("Verification");
            if (submission.Status != KycStatus.Submitted) return KycErrors.AlreadyDecided;

            var now = clock.GetUtcNow();
            var actor = currentUser.Name;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            int changed;
            try
            {
                // NOTE: the check above is only for a friendly answer. The decision itself is one conditional UPDATE
                // ... WHERE status = 'Submitted': of two operators deciding at once, the first UPDATE wins and the
                // second changes no row (PostgreSQL re-checks the WHERE after the first commits; SQLite has one
                // writer), so exactly one decision is recorded. The filtered unique index on approved credit codes
                // refuses a second tenant's approval of the same company (and the one on approved 身份证 hashes of the same
                // person), even when both are approved at once.
                changed = await db.KycSubmissions.IgnoreTenantFilter()
                    .Where(s => s.Id == submission.Id && s.Status == KycStatus.Submitted)
                    .ExecuteUpdateAsync(u => u
                        .SetProperty(s => s.Status, KycStatus.Approved)
                        .SetProperty(s => s.DecidedAt, now)
                        .SetProperty(s => s.DecidedBy, actor)
                        .SetProperty(s => s.UpdatedAt, now), cancellationToken);
            }
            catch (Exception e) when (DbErrors.IsUniqueViolation(e))
            {
                await transaction.RollbackAsync(CancellationToken.None);
                return submission.Type == KycType.Individual ? KycErrors.IdNumberTaken : KycErrors.CreditCodeTaken;
            }

            if (changed == 0) return KycErrors.AlreadyDecided;

            audit.Add(db, "kyc.approved", nameof(KycSubmission), submission.Id,
                LocalizedText.Encode("Approved {0} verification: {1}", LocalizedText.Term(submission.Type), submission.DisplayName + (submission.CreditCode is null ? "" : $" ({submission.CreditCode})")), submission.TenantId);
            await KycOwnerMail.SendAsync(db, outbox, submission.TenantId, (culture, tenantName) =>
                templates.Notice(culture, "Real-name verification approved",
                    "The real-name verification of {0} was approved. Top-ups, plans, API keys and invoices are now open to your account.", tenantName),
                "KycApproved", cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            // The relay caches the gate for at most 5 s on other replicas; on this one the change applies at once.
            relayCache.TenantChanged(submission.TenantId);
            return Unit.Value;
        }
    }
}
