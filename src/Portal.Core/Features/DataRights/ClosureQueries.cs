using Microsoft.EntityFrameworkCore;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Invoices;

namespace Portal.Core.Features.DataRights;

/// <summary>What the public verification page shows of a closure: no personal data, only what the certificate states.</summary>
public sealed record ClosureVerification(
    string TenantName, DateTimeOffset ClosedAt, DateTimeOffset DeletedAt, IReadOnlyList<(string Kind, int Count)> Deleted,
    DateTimeOffset AccountingRetainedUntil, DateTimeOffset InvoicesRetainedUntil, DateTimeOffset StatementsRetainedUntil, string CertificateSha256);

/// <summary>The public side of closures: verification by code and the certificate PDF. Anything else is "no such certificate".</summary>
public sealed class ClosureQueries(IDbContextFactory<PortalDbContext> dbFactory, IFileStore files)
{
    /// <summary>The English name (a localisation key) of each deleted kind the certificate counts.</summary>
    public static readonly IReadOnlyDictionary<string, string> DeletedKinds = new Dictionary<string, string>
    {
        ["members"] = "Memberships and members' personal data",
        ["invitations"] = "Invitations",
        ["kyc_documents"] = "Verification document scans",
        ["id_numbers"] = "ID numbers and contact persons",
        ["api_keys"] = "API keys (revoked; names and IP lists deleted)",
        ["support_tickets"] = "Support tickets and attachments",
        ["settings"] = "Invoice details and alert settings",
    };

    public async Task<ClosureVerification?> VerifyAsync(string? code, CancellationToken cancellationToken = default)
    {
        if (!VerificationCodes.IsWellFormed(code)) return null;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Public page: closures are not tenant-owned rows; the unguessable code is the only key.
        var closure = await db.Set<AccountClosure>().AsNoTracking().FirstOrDefaultAsync(c => c.VerificationCode == code, cancellationToken);
        if (closure is null) return null;
        var deleted = closure.DeletedSummary.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('=')).Select(p => (p[0], int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture))).ToList();
        return new ClosureVerification(closure.TenantName, closure.ClosedAt, closure.DeletedAt, deleted, closure.AccountingRetainedUntil,
            closure.InvoicesRetainedUntil, closure.StatementsRetainedUntil, closure.CertificateSha256);
    }

    /// <summary>The certificate PDF of <paramref name="code"/>, or null.</summary>
    public async Task<Stream?> OpenCertificateAsync(string? code, CancellationToken cancellationToken = default)
    {
        if (!VerificationCodes.IsWellFormed(code)) return null;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var key = await db.Set<AccountClosure>().AsNoTracking().Where(c => c.VerificationCode == code).Select(c => c.CertificateFileKey).FirstOrDefaultAsync(cancellationToken);
        return key is null ? null : await files.OpenReadAsync(key, cancellationToken);
    }
}
