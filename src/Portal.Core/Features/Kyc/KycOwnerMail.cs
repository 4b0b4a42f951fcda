using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Notifications;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Kyc;

/// <summary>Emails a tenant's Owners, each in the language they chose, in the caller's transaction.</summary>
internal static class KycOwnerMail
{
    public static async Task SendAsync(PortalDbContext db, EmailOutbox outbox, Guid tenantId, Func<string, string, EmailContent> content, string kind, CancellationToken cancellationToken)
    {
        var tenantName = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Name).SingleAsync(cancellationToken);
        var owners = await db.Memberships.IgnoreTenantFilter()
            .Where(m => m.TenantId == tenantId && m.Role == TenantRole.Owner)
            .Select(m => new { m.User!.Email, m.User.Culture })
            .ToListAsync(cancellationToken);
        foreach (var owner in owners.Where(o => !string.IsNullOrEmpty(o.Email)))
        {
            outbox.Add(db, owner.Email!, content(owner.Culture, tenantName), kind);
        }
    }
}
