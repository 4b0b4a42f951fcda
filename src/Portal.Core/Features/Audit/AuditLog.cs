using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;

namespace Portal.Core.Features.Audit;

/// <summary>Adds audit entries to the caller's context so they commit (or roll back) with the action itself.</summary>
public sealed class AuditLog(ICurrentUser currentUser, TimeProvider clock)
{
    /// <summary>Adds an entry; <paramref name="actor"/> names who acted when it is not the signed-in user (someone signing up).</summary>
    public AuditEntry Add(PortalDbContext db, string action, string targetType, object targetId, string summary, Guid? tenantId, (Guid UserId, string Email)? actor = null)
    {
        var entry = new AuditEntry
        {
            Id = Ids.New(),
            At = clock.GetUtcNow(),
            ActorUserId = actor?.UserId ?? currentUser.UserId,
            Actor = actor?.Email ?? (currentUser.UserId is null ? "system" : currentUser.Name),
            TenantId = tenantId,
            Action = action,
            TargetType = targetType,
            TargetId = targetId.ToString() ?? "",
            Summary = summary.Length > 1000 ? summary[..1000] : summary,
            Ip = currentUser.IpAddress,
        };
        db.AuditEntries.Add(entry);
        return entry;
    }
}
