using Portal.Core.Data;

namespace Portal.Core.Features.Tenants;

public enum InvitationStatus
{
    Pending,
    Accepted,
    Revoked,
    Expired,
}

/// <summary>An emailed invitation to join a tenant. Only the SHA-256 of its token is stored.</summary>
public sealed class Invitation : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public string Email { get; set; } = "";

    /// <summary>Upper-cased email for lookups, like Identity's NormalizedEmail.</summary>
    public string NormalizedEmail { get; set; } = "";

    public TenantRole Role { get; set; }

    public string TokenHash { get; set; } = "";

    public Guid InvitedByUserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? AcceptedAt { get; set; }

    public Guid? AcceptedByUserId { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public InvitationStatus StatusAt(DateTimeOffset now) =>
        AcceptedAt is not null ? InvitationStatus.Accepted
        : RevokedAt is not null ? InvitationStatus.Revoked
        : now >= ExpiresAt ? InvitationStatus.Expired
        : InvitationStatus.Pending;

    public Tenant? Tenant { get; set; }
}
