using Portal.Core.Data;
using Portal.Core.Features.Accounts;

namespace Portal.Core.Features.Tenants;

/// <summary>A user's place in a tenant, with one role. Unique per (tenant, user).</summary>
public sealed class Membership : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid UserId { get; set; }

    public TenantRole Role { get; set; }

    public DateTimeOffset JoinedAt { get; set; }

    public PortalUser? User { get; set; }

    public Tenant? Tenant { get; set; }
}
