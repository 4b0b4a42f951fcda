using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Kyc;

/// <summary>
/// Start-up: makes sure the hash key exists, then encrypts the 身份证 numbers that versions before encryption stored
/// in clear (<see cref="KycSubmission.LegacyIdNumber"/>), one row at a time. A migration cannot do this: it cannot
/// reach the key ring's certificate. Idempotent; rows already encrypted are not touched.
/// </summary>
internal sealed class EncryptLegacyIdNumbers(IDbContextFactory<PortalDbContext> dbFactory, ResidentIdSecrets secrets, ILogger<EncryptLegacyIdNumbers> logger) : IStartupTask
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await secrets.EnsureHashKeyAsync(cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        using var platform = db.EnterPlatformScope();
        var ids = await db.KycSubmissions.IgnoreTenantFilter().Where(s => s.LegacyIdNumber != null).Select(s => s.Id).ToListAsync(cancellationToken);
        foreach (var id in ids)
        {
            var row = await db.KycSubmissions.IgnoreTenantFilter().SingleAsync(s => s.Id == id, cancellationToken);
            var number = row.LegacyIdNumber!;
            row.IdNumber = number;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                // Two tenants were approved with one number before the unique index existed: keep this row encrypted
                // but without its hash, and say so; an operator decides which verification stands.
                db.ChangeTracker.Clear();
                await db.KycSubmissions.IgnoreTenantFilter().Where(s => s.Id == id).ExecuteUpdateAsync(u => u
                    .SetProperty(s => s.IdNumberProtected, secrets.Protect(number))
                    .SetProperty(s => s.LegacyIdNumber, (string?)null), cancellationToken);
                logger.LogWarning("Verification {SubmissionId}: its 身份证 number is approved for another tenant too; encrypted without the duplicate-check hash", id);
            }

            db.ChangeTracker.Clear();
        }

        if (ids.Count > 0) logger.LogInformation("Encrypted {Count} 身份证 numbers stored in clear", ids.Count);
    }
}
