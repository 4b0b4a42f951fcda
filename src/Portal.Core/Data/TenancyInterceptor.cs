using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Portal.Core.Features.Audit;

namespace Portal.Core.Data;

/// <summary>
/// Last line of defence for tenancy and append-only tables: before any save, every written
/// <see cref="ITenantOwned"/> row must carry a tenant, and outside a platform scope it must be the current tenant.
/// Audit rows may only ever be inserted.
/// </summary>
public sealed class TenancyInterceptor : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Check(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Check(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Check(DbContext? context)
    {
        if (context is not PortalDbContext db) return;
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached) continue;

            if (entry.Entity is IAppendOnly && entry.State != EntityState.Added)
                throw new InvalidOperationException($"{entry.Entity.GetType().Name} rows are append-only; write a new row instead.");

            if (entry.Entity is not ITenantOwned owned) continue;
            if (owned.TenantId == Guid.Empty)
                throw new TenancyViolationException($"{entry.Entity.GetType().Name} has no TenantId.");
            if (!db.IsPlatformScope && owned.TenantId != db.CurrentTenantId)
                throw new TenancyViolationException(
                    $"{entry.Entity.GetType().Name} belongs to tenant {owned.TenantId}, not the current tenant.");
        }
    }
}
