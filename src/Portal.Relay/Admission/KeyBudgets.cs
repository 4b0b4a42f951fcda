using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.ApiKeys;

namespace Portal.Relay.Admission;

/// <summary>
/// A key's monthly budget (Asia/Shanghai calendar month), enforced on <c>api_key_spend</c>: a request's hold is added to
/// <c>reserved</c> by one conditional UPDATE (<c>WHERE spent + reserved + hold ≤ budget</c>); settlement moves the cost
/// to <c>spent</c> and gives the hold back. Only keys with a budget pay this round trip.
/// </summary>
internal sealed class KeyBudgets(IServiceScopeFactory scopes)
{
    /// <summary>yyyyMM of <paramref name="instant"/> in Asia/Shanghai.</summary>
    public static int MonthOf(DateTimeOffset instant)
    {
        var china = ChinaTime.ToChina(instant);
        return (china.Year * 100) + china.Month;
    }

    public async Task<bool> TryHoldAsync(Guid keyId, Guid tenantId, int month, long hold, long budget)
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // NOTE: the check and the reservation are one statement, so 500 concurrent requests cannot overspend the budget.
            var updated = await db.ApiKeySpends.IgnoreTenantFilter()
                .Where(s => s.ApiKeyId == keyId && s.Month == month && s.SpentMicroYuan + s.ReservedMicroYuan + hold <= budget)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.ReservedMicroYuan, s => s.ReservedMicroYuan + hold));
            if (updated == 1) return true;
            if (await db.ApiKeySpends.IgnoreTenantFilter().AnyAsync(s => s.ApiKeyId == keyId && s.Month == month)) return false;
            await EnsureRowAsync(db, keyId, tenantId, month);
        }

        return false;
    }

    /// <summary>Gives a hold back (the request was refused after the budget hold, e.g. by the wallet).</summary>
    public async Task ReleaseAsync(Guid keyId, int month, long hold)
    {
        if (hold == 0) return;
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        await db.ApiKeySpends.IgnoreTenantFilter()
            .Where(s => s.ApiKeyId == keyId && s.Month == month && s.ReservedMicroYuan >= hold)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.ReservedMicroYuan, s => s.ReservedMicroYuan - hold));
    }

    /// <summary>Creates the key's row for the month if missing; of concurrent creators one wins the primary key.</summary>
    public static async Task EnsureRowAsync(PortalDbContext db, Guid keyId, Guid tenantId, int month)
    {
        using var platform = db.EnterPlatformScope();
        db.ApiKeySpends.Add(new ApiKeySpend { ApiKeyId = keyId, Month = month, TenantId = tenantId });
        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException)
        {
            // NOTE: another request created it first (primary key api_key_id + month); the caller updates it.
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }
}
