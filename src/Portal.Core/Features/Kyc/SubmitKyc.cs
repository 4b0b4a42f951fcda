using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Tenants;
using Portal.Core.Localization;

namespace Portal.Core.Features.Kyc;

/// <summary>
/// Submits the tenant's verification for review (Owners and Admins). The same validators as the form run here;
/// a credit code or 身份证 number already approved for another tenant is refused at once (the unique indexes refuse it
/// again at approval).
/// </summary>
public static class SubmitKyc
{
    public sealed record Command(KycForm Form);

    public sealed record Submitted(Guid SubmissionId, DateTimeOffset SubmittedAt);

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        TenantAccess access,
        IValidator<EnterpriseSubmission> enterpriseValidator,
        IValidator<IndividualSubmission> individualValidator,
        AuditLog audit,
        ICurrentUser currentUser,
        ResidentIdSecrets idNumbers,
        TimeProvider clock)
    {
        public async Task<Result<Submitted>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            var form = command.Form;
            if (!Enum.IsDefined(form.Type)) return new Error("Kyc.InvalidType", "Choose enterprise or individual verification.");
            var invalid = form.Type == KycType.Enterprise
                ? await enterpriseValidator.CheckAsync(form.ToEnterprise(), cancellationToken)
                : await individualValidator.CheckAsync(form.ToIndividual(), cancellationToken);
            if (invalid is not null) return invalid;

            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var manager = await access.RequireManagerAsync(db, cancellationToken);
            if (!manager.IsSuccess) return manager.Error!;
            var tenantId = manager.Value!.TenantId;
            if (!await KycDrafts.DocumentsExistAsync(db, form, cancellationToken)) return KycErrors.DocumentMissing;

            if (form.Type == KycType.Enterprise)
            {
                // A narrow cross-tenant read: only whether the code is approved elsewhere, which is what the tenant is told.
                var code = UnifiedSocialCreditCode.Normalize(form.CreditCode);
                var taken = await db.KycSubmissions.IgnoreTenantFilter()
                    .AnyAsync(s => s.CreditCode == code && s.Status == KycStatus.Approved && s.TenantId != tenantId, cancellationToken);
                if (taken) return KycErrors.CreditCodeTaken;
            }
            else
            {
                // The same narrow read for a person, by the keyed hash of the number (the number itself is encrypted).
                var hash = await idNumbers.HashAsync(form.IdNumber ?? "", cancellationToken);
                var taken = await db.KycSubmissions.IgnoreTenantFilter()
                    .AnyAsync(s => s.IdNumberHash == hash && s.Status == KycStatus.Approved && s.TenantId != tenantId, cancellationToken);
                if (taken) return KycErrors.IdNumberTaken;
            }

            var now = clock.GetUtcNow();
            var draft = await KycDrafts.OpenAsync(db, tenantId, now, cancellationToken);
            if (!draft.IsSuccess) return draft.Error!;
            var submission = draft.Value!;
            form.ApplyTo(submission, validated: true);
            submission.Status = KycStatus.Submitted;
            submission.SubmittedAt = now;
            submission.SubmittedByUserId = currentUser.UserId;
            submission.UpdatedAt = now;
            audit.Add(db, "kyc.submitted", nameof(KycSubmission), submission.Id,
                LocalizedText.Encode("Submitted {0} verification: {1}", LocalizedText.Term(submission.Type), submission.DisplayName + (submission.CreditCode is null ? "" : $" ({submission.CreditCode})")), tenantId);
            // NOTE: UpdatedAt is a concurrency token and at most one Draft/Submitted row may exist per tenant (unique
            // index), so two submits racing on the same draft record one submission.
            if (await KycDrafts.SaveAsync(db, cancellationToken) is { } conflict) return conflict;
            return new Submitted(submission.Id, now);
        }
    }
}
