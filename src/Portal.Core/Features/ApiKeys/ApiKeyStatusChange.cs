using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.ApiKeys;

/// <summary>The one way a key's status moves (disable, enable, revoke): a conditional UPDATE, its audit entry, then the relay is told.</summary>
public sealed class ApiKeyStatusChange(
    IDbContextFactory<PortalDbContext> dbFactory,
    TenantAccess access,
    IKycGate kyc,
    AuditLog audit,
    IRelayCache relayCache,
    TimeProvider clock)
{
    public async Task<Result<Unit>> ApplyAsync(Guid keyId, ApiKeyStatus[] from, ApiKeyStatus to, string action, Error wrongStatus, bool requiresKyc, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireAsync(db, cancellationToken, ApiKeySettingsRules.ManagingRoles);
        if (!member.IsSuccess) return member.Error.Code == "Auth.Forbidden" ? ApiKeyErrors.RolesOnly : member.Error;
        // The tenant filter hides other tenants' keys: their id is answered like a missing one.
        var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == keyId, cancellationToken);
        if (key is null) return ApiKeyErrors.NotFound;
        if (key.Status == ApiKeyStatus.Revoked) return ApiKeyErrors.Revoked;
        if (!from.Contains(key.Status)) return wrongStatus;
        if (requiresKyc && await kyc.CheckAsync(member.Value.TenantId, cancellationToken) is { } notVerified) return notVerified;

        var now = clock.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // NOTE: conditional on the status read above, so of a revoke and an enable racing, only one lands, and a
        // revoked key can never become active again.
        var changed = await db.ApiKeys
            .Where(k => k.Id == keyId && from.Contains(k.Status))
            .ExecuteUpdateAsync(u =>
            {
                u.SetProperty(k => k.Status, to).SetProperty(k => k.UpdatedAt, now);
                if (to == ApiKeyStatus.Revoked) u.SetProperty(k => k.RevokedAt, now);
            }, cancellationToken);
        if (changed == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            var current = await db.ApiKeys.AsNoTracking().Where(k => k.Id == keyId).Select(k => k.Status).FirstAsync(cancellationToken);
            return current == ApiKeyStatus.Revoked ? ApiKeyErrors.Revoked : wrongStatus;
        }

        audit.Add(db, action, nameof(ApiKey), key.Id, LocalizedText.Encode("{0} ({1})", key.Name, key.Prefix), key.TenantId);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        relayCache.KeyChanged(key.SecretHash);
        return Unit.Value;
    }
}
