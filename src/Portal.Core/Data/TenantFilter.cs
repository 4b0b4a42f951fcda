using Microsoft.EntityFrameworkCore;

namespace Portal.Core.Data;

/// <summary>
/// The named query filter that restricts every <see cref="ITenantOwned"/> entity to the current tenant.
/// Only operator code and jobs may call <see cref="IgnoreTenantFilter{T}"/>; grep for it to audit them.
/// </summary>
public static class TenantFilter
{
    public const string Name = "Tenant";

    /// <summary>Operator and job code only: see every tenant's rows.</summary>
    public static IQueryable<T> IgnoreTenantFilter<T>(this IQueryable<T> query) where T : class =>
        query.IgnoreQueryFilters([Name]);
}
