using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Kyc;

/// <summary>The tenant's one open draft, shared by <see cref="SaveKycDraft"/> and <see cref="SubmitKyc"/>.</summary>
internal static class KycDrafts
{
    /// <summary>
    /// The current tenant's Draft, creating one when there is none, or why the tenant cannot edit now (a submission
    /// awaits review, or the verification is approved).
    /// </summary>
    public static async Task<Result<KycSubmission>> OpenAsync(PortalDbContext db, Guid tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var open = await db.KycSubmissions
            .Where(s => s.Status == KycStatus.Draft || s.Status == KycStatus.Submitted || s.Status == KycStatus.Approved)
            .ToListAsync(cancellationToken);
        if (open.Any(s => s.Status == KycStatus.Approved)) return KycErrors.AlreadyApproved;
        if (open.Any(s => s.Status == KycStatus.Submitted)) return KycErrors.AlreadySubmitted;
        if (open.FirstOrDefault(s => s.Status == KycStatus.Draft) is { } draft) return draft;

        draft = new KycSubmission { Id = Ids.New(), TenantId = tenantId, Status = KycStatus.Draft, CreatedAt = now, UpdatedAt = now };
        db.KycSubmissions.Add(draft);
        return draft;
    }

    /// <summary>Every document of the form exists in the current tenant (the tenant filter applies) and is of the right kind.</summary>
    public static async Task<bool> DocumentsExistAsync(PortalDbContext db, KycForm form, CancellationToken cancellationToken)
    {
        var wanted = form.Documents().ToList();
        if (wanted.Count == 0) return true;
        var ids = wanted.Select(w => w.Id).ToList();
        var found = await db.KycDocuments.Where(d => ids.Contains(d.Id)).Select(d => new { d.Id, d.Kind }).ToListAsync(cancellationToken);
        return wanted.All(w => found.Any(f => f.Id == w.Id && f.Kind == w.Kind));
    }

    /// <summary>Saves; a concurrent change of the same draft, or a second open draft, is reported instead of thrown.</summary>
    public static async Task<Error?> SaveAsync(PortalDbContext db, CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return KycErrors.ChangedMeanwhile;
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            return KycErrors.ChangedMeanwhile;
        }
    }
}
