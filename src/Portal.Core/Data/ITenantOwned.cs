namespace Portal.Core.Data;

/// <summary>An entity that belongs to exactly one tenant. The tenant filter and the tenancy interceptor guard it.</summary>
public interface ITenantOwned
{
    Guid TenantId { get; }
}
