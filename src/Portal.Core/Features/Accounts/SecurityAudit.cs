using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Accounts;

/// <summary>Audit entries for a user's own security changes (2FA on/off, recovery codes, password).</summary>
public sealed class SecurityAudit(PortalDbContext db, AuditLog audit, ICurrentUser currentUser)
{
    public async Task RecordAsync(string action, PortalUser user, string summary, CancellationToken cancellationToken = default)
    {
        audit.Add(db, action, nameof(PortalUser), user.Id, summary, user.CurrentTenantId ?? currentUser.TenantId);
        await db.SaveChangesAsync(cancellationToken);
    }
}
