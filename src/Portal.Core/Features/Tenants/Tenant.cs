namespace Portal.Core.Features.Tenants;

public enum TenantKind
{
    Company,
    Individual,
}

/// <summary>A customer account: a company or an individual. Owns wallets, keys, documents and members.</summary>
public sealed class Tenant
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public TenantKind Kind { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// Bumped by every membership change. The UPDATE takes the tenant row's lock, which serialises
    /// concurrent role changes so the last Owner can never be removed by two requests racing.
    /// </summary>
    public long MembershipVersion { get; set; }
}
