using Portal.Core.Features.Catalog;
using Portal.Relay.Auth;
using Portal.Relay.Catalog;

namespace Portal.Relay;

/// <summary>The relay's <see cref="IRelayCache"/>: catalog, key and tenant changes drop the cached entries on this replica at once.</summary>
internal sealed class RelayCacheInvalidation(CatalogCache catalog, KeyCache keys, TenantGate tenants) : IRelayCache
{
    public void CatalogChanged() => catalog.Invalidate();

    public void KeyChanged(string secretHash) => keys.Remove(secretHash);

    public void TenantChanged(Guid tenantId) => tenants.Invalidate(tenantId);
}
