using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Kyc;

public sealed record KycDocumentView(Guid Id, KycDocumentKind Kind, DocumentType Type, string OriginalName, long Length, DateTimeOffset UploadedAt)
{
    public bool IsImage => Type != DocumentType.Pdf;

    /// <summary>The authorised download (cookie auth; 404 for anyone else).</summary>
    public string Url => $"/api/kyc/documents/{Id}";

    public static KycDocumentView From(KycDocument d) => new(d.Id, d.Kind, d.Type, d.OriginalName, d.Length, d.UploadedAt);
}

public sealed record KycSubmissionView(KycSubmission Submission, IReadOnlyList<KycDocumentView> Documents)
{
    public KycDocumentView? Document(Guid? id) => id is null ? null : Documents.FirstOrDefault(d => d.Id == id);
}

/// <summary>The tenant's page: the latest submission (or none), every earlier one, and whether the viewer may edit.</summary>
public sealed record MyKyc(KycSubmissionView? Latest, IReadOnlyList<KycSubmissionView> History, bool CanEdit, bool CanSeeDocuments)
{
    public KycStatus? Status => Latest?.Submission.Status;

    public bool IsApproved => Status == KycStatus.Approved;
}

public sealed record KycQueueFilter(KycStatus? Status = KycStatus.Submitted, KycType? Type = null, DateTimeOffset? SubmittedFrom = null, DateTimeOffset? SubmittedTo = null);

public sealed record KycQueueItem(Guid Id, Guid TenantId, string TenantName, KycType Type, KycStatus Status, string Subject, string? CreditCode, DateTimeOffset? SubmittedAt, DateTimeOffset? DecidedAt);

/// <summary>The operator's detail: the submission, the tenant, its other submissions, and another tenant approved with the same code.</summary>
public sealed record KycReview(KycSubmissionView Current, string TenantName, IReadOnlyList<KycSubmissionView> Others, KycConflict? Conflict);

public sealed record KycConflict(Guid TenantId, string TenantName, Guid SubmissionId);

public sealed record KycDocumentContent(Stream Content, string ContentType, string FileName);

/// <summary>Reads for the verification pages and the document download.</summary>
public sealed class KycQueries(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, OperatorAccess operators, AuditLog audit, IFileStore store)
{
    public const int QueueLimit = 200;

    /// <summary>The current tenant's verification, for any member; documents only for Owners and Admins.</summary>
    public async Task<Result<MyKyc>> GetMineAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error!;
        var canEdit = member.Value!.Role.CanManageMembers();
        var submissions = await db.KycSubmissions.OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id).ToListAsync(cancellationToken);
        var views = canEdit ? await WithDocumentsAsync(db.KycDocuments, submissions, cancellationToken) : submissions.Select(s => new KycSubmissionView(s, [])).ToList();
        return new MyKyc(views.FirstOrDefault(), views.Skip(1).ToList(), canEdit, canEdit);
    }

    /// <summary>Operator queue: oldest submission first.</summary>
    public async Task<IReadOnlyList<KycQueueItem>> ListQueueAsync(KycQueueFilter filter, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var query = db.KycSubmissions.IgnoreTenantFilter().Where(s => s.Status != KycStatus.Draft);
        if (filter.Status is { } status) query = query.Where(s => s.Status == status);
        if (filter.Type is { } type) query = query.Where(s => s.Type == type);
        if (filter.SubmittedFrom is { } from) query = query.Where(s => s.SubmittedAt >= from);
        if (filter.SubmittedTo is { } to) query = query.Where(s => s.SubmittedAt < to);
        return await query
            .OrderBy(s => s.SubmittedAt).ThenBy(s => s.Id)
            .Take(QueueLimit)
            .Join(db.Tenants, s => s.TenantId, t => t.Id, (s, t) => new KycQueueItem(
                s.Id, s.TenantId, t.Name, s.Type, s.Status, (s.Type == KycType.Enterprise ? s.CompanyName : s.RealName) ?? "", s.CreditCode, s.SubmittedAt, s.DecidedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Operator detail of one submission, or null when there is none.</summary>
    public async Task<KycReview?> GetForOperatorAsync(Guid submissionId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var submission = await db.KycSubmissions.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(s => s.Id == submissionId, cancellationToken);
        if (submission is null || submission.Status == KycStatus.Draft) return null;
        var tenantName = await db.Tenants.Where(t => t.Id == submission.TenantId).Select(t => t.Name).SingleAsync(cancellationToken);
        var all = await db.KycSubmissions.IgnoreTenantFilter().AsNoTracking()
            .Where(s => s.TenantId == submission.TenantId && s.Status != KycStatus.Draft)
            .OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id)
            .ToListAsync(cancellationToken);
        var views = await WithDocumentsAsync(db.KycDocuments.IgnoreTenantFilter(), all, cancellationToken);

        KycConflict? conflict = null;
        if (submission.CreditCode is { } code)
        {
            conflict = await db.KycSubmissions.IgnoreTenantFilter()
                .Where(s => s.CreditCode == code && s.Status == KycStatus.Approved && s.TenantId != submission.TenantId)
                .Join(db.Tenants, s => s.TenantId, t => t.Id, (s, t) => new KycConflict(t.Id, t.Name, s.Id))
                .FirstOrDefaultAsync(cancellationToken);
        }

        if (conflict is null && submission.IdNumberHash is { } hash)
        {
            conflict = await db.KycSubmissions.IgnoreTenantFilter()
                .Where(s => s.IdNumberHash == hash && s.Status == KycStatus.Approved && s.TenantId != submission.TenantId)
                .Join(db.Tenants, s => s.TenantId, t => t.Id, (s, t) => new KycConflict(t.Id, t.Name, s.Id))
                .FirstOrDefaultAsync(cancellationToken);
        }

        return new KycReview(views.Single(v => v.Submission.Id == submissionId), tenantName, views.Where(v => v.Submission.Id != submissionId).ToList(), conflict);
    }

    /// <summary>
    /// A document's content: for PlatformAdmins (re-checked in the database) any tenant's; otherwise only the current
    /// tenant's, and only for its Owners and Admins. Everyone else, PlatformFinance and a Developer of the same tenant
    /// included, gets NotFound. Every read that serves the content is audited with the reader and the document.
    /// </summary>
    public async Task<Result<KycDocumentContent>> OpenDocumentAsync(Guid documentId, bool asOperator, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        KycDocument? document;
        if (asOperator)
        {
            var admin = await operators.RequireAsync(db, cancellationToken, OperatorRoles.PlatformAdmin);
            document = admin.IsSuccess ? await db.KycDocuments.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(d => d.Id == documentId, cancellationToken) : null;
        }
        else
        {
            var manager = await access.RequireManagerAsync(db, cancellationToken);
            document = manager.IsSuccess ? await db.KycDocuments.AsNoTracking().FirstOrDefaultAsync(d => d.Id == documentId, cancellationToken) : null;
        }

        if (document is null) return Error.NotFound("Document");
        var content = await store.OpenReadAsync(document.StorageKey, cancellationToken);
        if (content is null) return Error.NotFound("Document");
        audit.Add(db, "kyc.document.read", nameof(KycDocument), document.Id,
            LocalizedText.Encode(asOperator ? "Read {0} ({1}) as operator" : "Read {0} ({1})", LocalizedText.Term(document.Kind), document.OriginalName), document.TenantId);
        await db.SaveChangesAsync(cancellationToken);
        return new KycDocumentContent(content, document.Type.ContentType(), $"{document.Kind}{document.Type.FileExtension()}");
    }

    private static async Task<List<KycSubmissionView>> WithDocumentsAsync(IQueryable<KycDocument> documents, List<KycSubmission> submissions, CancellationToken cancellationToken)
    {
        var ids = submissions.SelectMany(s => s.DocumentIds()).Distinct().ToList();
        var found = ids.Count == 0 ? [] : await documents.Where(d => ids.Contains(d.Id)).ToListAsync(cancellationToken);
        var byId = found.ToDictionary(d => d.Id, KycDocumentView.From);
        return submissions.Select(s => new KycSubmissionView(s, s.DocumentIds().Where(byId.ContainsKey).Select(id => byId[id]).ToList())).ToList();
    }
}
