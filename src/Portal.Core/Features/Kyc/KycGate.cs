using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Kyc;

/// <summary>
/// <see cref="IKycGate"/> on the database: open while the tenant has an Approved verification. Read on every call
/// (no cache), so a revocation closes the gate at once for everything that asks.
/// </summary>
public sealed class KycGate(IDbContextFactory<PortalDbContext> dbFactory) : IKycGate
{
    public async Task<Error?> CheckAsync(Guid tenantId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // The tenant is given explicitly (the relay has no signed-in user), hence the explicit filter.
        var decided = await db.KycSubmissions.IgnoreTenantFilter()
            .Where(s => s.TenantId == tenantId && (s.Status == KycStatus.Approved || s.Status == KycStatus.Revoked))
            .OrderByDescending(s => s.Status == KycStatus.Approved)
            .ThenByDescending(s => s.CreatedAt)
            .Select(s => (KycStatus?)s.Status)
            .FirstOrDefaultAsync(cancellationToken);
        return decided switch
        {
            KycStatus.Approved => null,
            KycStatus.Revoked => KycGateErrors.Revoked,
            _ => KycGateErrors.NotVerified,
        };
    }
}
