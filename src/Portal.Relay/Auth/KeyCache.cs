using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Data;

namespace Portal.Relay.Auth;

/// <summary>
/// API keys by the SHA-256 of their secret, in memory for <see cref="RelayOptions.CacheTtl"/> (unknown hashes for
/// <see cref="RelayOptions.NegativeCacheTtl"/>), dropped at once on this replica by <c>IRelayCache.KeyChanged</c>.
/// Concurrent misses for one hash share a single database read.
/// </summary>
internal sealed class KeyCache(IServiceScopeFactory scopes, IOptions<RelayOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly RelayOptions _options = options.Value;

    public ValueTask<RelayKey?> FindAsync(string secretHash, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcTicks;
        if (_entries.TryGetValue(secretHash, out var entry) && entry.ExpiresAtTicks > now && entry.Load.IsCompletedSuccessfully)
            return ValueTask.FromResult(entry.Load.Result);
        return LoadAsync(secretHash, now, cancellationToken);
    }

    public void Remove(string secretHash) => _entries.TryRemove(secretHash, out _);

    public void Clear() => _entries.Clear();

    private async ValueTask<RelayKey?> LoadAsync(string secretHash, long now, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_entries.TryGetValue(secretHash, out var existing) && (existing.ExpiresAtTicks > now || !existing.Load.IsCompleted))
            {
                try
                {
                    return await existing.Load.WaitAsync(cancellationToken);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested && existing.Load.IsFaulted)
                {
                    _entries.TryRemove(new KeyValuePair<string, Entry>(secretHash, existing));
                    throw;
                }
            }

            var fresh = new Entry(ReadAsync(secretHash), long.MaxValue);
            if (existing is null ? !_entries.TryAdd(secretHash, fresh) : !_entries.TryUpdate(secretHash, fresh, existing)) continue;

            RelayKey? key;
            try
            {
                key = await fresh.Load;
            }
            catch
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(secretHash, fresh));
                throw;
            }

            var ttl = key is null ? _options.NegativeCacheTtl : _options.CacheTtl;
            fresh.ExpiresAtTicks = clock.GetUtcNow().UtcTicks + ttl.Ticks;
            return key;
        }
    }

    private async Task<RelayKey?> ReadAsync(string secretHash)
    {
        await Task.Yield();
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        // The relay has no signed-in tenant: the key itself decides the tenant, hence the explicit filter bypass.
        var key = await db.ApiKeys.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(k => k.SecretHash == secretHash);
        if (key is null) return null;
        // The key's own override wins over the tenant's default (one row each at most, by unique indexes).
        var policies = await db.DataPolicies.IgnoreTenantFilter().AsNoTracking()
            .Where(p => p.TenantId == key.TenantId && (p.ApiKeyId == null || p.ApiKeyId == key.Id)).ToListAsync();
        return RelayKey.From(key, policies.FirstOrDefault(p => p.ApiKeyId == key.Id) ?? policies.FirstOrDefault(p => p.ApiKeyId == null));
    }

    private sealed class Entry(Task<RelayKey?> load, long expiresAtTicks)
    {
        public Task<RelayKey?> Load { get; } = load;

        public long ExpiresAtTicks { get; set; } = expiresAtTicks;
    }
}
