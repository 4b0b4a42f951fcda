using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Localization;

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
            Summary = Fit(summary),
            Ip = currentUser.IpAddress,
        };
        db.AuditEntries.Add(entry);
        return entry;
    }

    /// <summary>The column holds 1,000 characters: a longer template would be cut into JSON nobody can read, so it is
    /// kept as its English text, cut.</summary>
    internal static string Fit(string summary)
    {
        if (summary.Length <= 1000) return summary;
        var english = LocalizedText.English(summary);
        return english.Length > 1000 ? english[..1000] : english;
    }
}
