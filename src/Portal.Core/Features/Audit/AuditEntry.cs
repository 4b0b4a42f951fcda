using Portal.Core.Data;

namespace Portal.Core.Features.Audit;

/// <summary>
/// One thing someone did: every operator action, every member / role / 2FA change and every money movement.
/// Append-only: the interceptor refuses updates and deletes, and PostgreSQL has a trigger that does too.
/// </summary>
public sealed class AuditEntry : IAppendOnly
{
    public Guid Id { get; set; }

    public DateTimeOffset At { get; set; }

    public Guid? ActorUserId { get; set; }

    /// <summary>Email of the actor, or <c>system</c> for jobs.</summary>
    public string Actor { get; set; } = "";

    /// <summary>The tenant the action concerns, when it concerns one; tenants see their own entries.</summary>
    public Guid? TenantId { get; set; }

    /// <summary>Dotted, stable action name: <c>members.invited</c>, <c>kyc.approved</c>.</summary>
    public string Action { get; set; } = "";

    public string TargetType { get; set; } = "";

    public string TargetId { get; set; } = "";

    public string Summary { get; set; } = "";

    public string? Ip { get; set; }
}
