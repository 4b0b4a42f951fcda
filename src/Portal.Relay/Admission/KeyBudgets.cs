using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.ApiKeys;

namespace Portal.Relay.Admission;

/// <summary>
/// A key's monthly budget (Asia/Shanghai calendar month), enforced on <c>api_key_spend</c>: a request's hold is added to
/// <c>reserved</c> by one conditional UPDATE (<c>WHERE spent + reserved + hold ≤ budget</c>); settlement moves the cost
/// to <c>spent</c> and gives the hold back. Only keys with a budget pay these round trips. Each replica's share of
/// <c>reserved</c> is also kept in its own <see cref="ApiKeyBudgetHold"/> row, changed in the same transactions and
/// renewed with the wallet leases, so the holds of a replica that dies are given back by the lease-release job instead
/// of blocking the budget until the month ends.
/// </summary>
internal sealed class KeyBudgets(IServiceScopeFactory scopes, IOptions<RelayOptions> options, TimeProvider clock)
{
    private readonly RelayOptions _options = options.Value;

    /// <summary>(key, month) pairs whose spend row and this replica's hold row are known to exist.</summary>
    private readonly ConcurrentDictionary<(Guid KeyId, int Month), bool> _rows = new();

    private string ReplicaId => _options.EffectiveReplicaId;

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
        var replica = ReplicaId;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (!_rows.ContainsKey((keyId, month)))
            {
                // Created outside the transaction: losing the race to create one would abort a PostgreSQL transaction.
                await EnsureRowAsync(db, keyId, tenantId, month);
                await EnsureHoldRowAsync(db, keyId, tenantId, month, replica, clock.GetUtcNow() + _options.LeaseTtl);
                _rows[(keyId, month)] = true;
            }

            await using var transaction = await db.Database.BeginTransactionAsync();
            // NOTE: the check and the reservation are one statement, so 500 concurrent requests cannot overspend the budget.
            var updated = await db.ApiKeySpends.IgnoreTenantFilter()
                .Where(s => s.ApiKeyId == keyId && s.Month == month && s.SpentMicroYuan + s.ReservedMicroYuan + hold <= budget)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.ReservedMicroYuan, s => s.ReservedMicroYuan + hold));
            if (updated == 1)
            {
                var expires = clock.GetUtcNow() + _options.LeaseTtl;
                var recorded = await db.ApiKeyBudgetHolds.IgnoreTenantFilter().Where(h => h.ApiKeyId == keyId && h.Month == month && h.ReplicaId == replica)
                    .ExecuteUpdateAsync(u => u.SetProperty(h => h.ReservedMicroYuan, h => h.ReservedMicroYuan + hold).SetProperty(h => h.ExpiresAt, expires));
                if (recorded == 1)
                {
                    await transaction.CommitAsync();
                    return true;
                }

                // This replica's hold row was released meanwhile (it was taken for dead): make it again and retry.
                await transaction.RollbackAsync();
                _rows.TryRemove((keyId, month), out _);
                continue;
            }

            await transaction.RollbackAsync();
            if (await db.ApiKeySpends.IgnoreTenantFilter().AnyAsync(s => s.ApiKeyId == keyId && s.Month == month)) return false;
            _rows.TryRemove((keyId, month), out _);
        }

        return false;
    }

    /// <summary>Gives a hold back (the request was refused after the budget hold, e.g. by the wallet).</summary>
    public async Task ReleaseAsync(Guid keyId, int month, long hold)
    {
        if (hold == 0) return;
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var replica = ReplicaId;
        await using var transaction = await db.Database.BeginTransactionAsync();
        await db.ApiKeySpends.IgnoreTenantFilter()
            .Where(s => s.ApiKeyId == keyId && s.Month == month && s.ReservedMicroYuan >= hold)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.ReservedMicroYuan, s => s.ReservedMicroYuan - hold));
        await db.ApiKeyBudgetHolds.IgnoreTenantFilter().Where(h => h.ApiKeyId == keyId && h.Month == month && h.ReplicaId == replica)
            .ExecuteUpdateAsync(u => u.SetProperty(h => h.ReservedMicroYuan, h => h.ReservedMicroYuan - hold >= 0 ? h.ReservedMicroYuan - hold : 0));
        await transaction.CommitAsync();
    }

    /// <summary>Moves this replica's hold rows' expiry forward (with its wallet leases); forgets rows someone released.</summary>
    public async Task RenewAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
        var replica = ReplicaId;
        var expires = clock.GetUtcNow() + _options.LeaseTtl;
        await db.ApiKeyBudgetHolds.IgnoreTenantFilter().Where(h => h.ReplicaId == replica)
            .ExecuteUpdateAsync(u => u.SetProperty(h => h.ExpiresAt, expires), cancellationToken);
        var present = (await db.ApiKeyBudgetHolds.IgnoreTenantFilter().Where(h => h.ReplicaId == replica).Select(h => new { h.ApiKeyId, h.Month })
            .ToListAsync(cancellationToken)).Select(h => (h.ApiKeyId, h.Month)).ToHashSet();
        foreach (var row in _rows.Keys.Where(r => !present.Contains(r))) _rows.TryRemove(row, out _);
    }

    /// <summary>
    /// Settlement's side, inside its transaction: <paramref name="held"/> of this replica's holds on the key's month is
    /// settled (never below zero: a row the release job took is simply gone).
    /// </summary>
    public static Task<int> SettleHoldsAsync(PortalDbContext db, Guid keyId, int month, string replica, long held) =>
        db.ApiKeyBudgetHolds.IgnoreTenantFilter().Where(h => h.ApiKeyId == keyId && h.Month == month && h.ReplicaId == replica)
            .ExecuteUpdateAsync(u => u.SetProperty(h => h.ReservedMicroYuan, h => h.ReservedMicroYuan - held >= 0 ? h.ReservedMicroYuan - held : 0));

    /// <summary>Creates this replica's hold row for the key's month if missing (reserved 0).</summary>
    private static async Task EnsureHoldRowAsync(PortalDbContext db, Guid keyId, Guid tenantId, int month, string replica, DateTimeOffset expires)
    {
        if (await db.ApiKeyBudgetHolds.IgnoreTenantFilter().AnyAsync(h => h.ApiKeyId == keyId && h.Month == month && h.ReplicaId == replica)) return;
        using var platform = db.EnterPlatformScope();
        db.ApiKeyBudgetHolds.Add(new ApiKeyBudgetHold { ApiKeyId = keyId, Month = month, ReplicaId = replica, TenantId = tenantId, ExpiresAt = expires });
        try
        {
            await db.SaveChangesAsync();
        }
        catch (DbUpdateException)
        {
            // NOTE: a concurrent request of this replica created it first (primary key key + month + replica).
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
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
