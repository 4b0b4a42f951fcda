using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Features.Kyc;

namespace Portal.Relay.Auth;

/// <summary>
/// Whether a tenant may use the relay (<see cref="IKycGate"/>: an approved, not revoked, real-name verification), cached
/// per tenant for <see cref="RelayOptions.CacheTtl"/> (≤ 5 s) and dropped at once by <c>IRelayCache.TenantChanged</c>,
/// so a revocation stops a tenant's keys within five seconds on every replica and at once on the one that revoked.
/// </summary>
internal sealed class TenantGate(IServiceScopeFactory scopes, IOptions<RelayOptions> options, TimeProvider clock)
{
    private readonly ConcurrentDictionary<Guid, Entry> _entries = new();
    private readonly TimeSpan _ttl = options.Value.CacheTtl;

    public ValueTask<Error?> CheckAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(tenantId, out var entry) && entry.ExpiresAtTicks > clock.GetUtcNow().UtcTicks)
            return ValueTask.FromResult(entry.Error);
        return LoadAsync(tenantId, cancellationToken);
    }

    public void Remove(Guid tenantId) => _entries.TryRemove(tenantId, out _);

    public void Clear() => _entries.Clear();

    private async ValueTask<Error?> LoadAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var version = Volatile.Read(ref _version);
        await using var scope = scopes.CreateAsyncScope();
        var error = await scope.ServiceProvider.GetRequiredService<IKycGate>().CheckAsync(tenantId, cancellationToken);
        // NOTE: an invalidation that lands while this read runs must win: the entry is cached only if none happened.
        if (Volatile.Read(ref _version) == version)
            _entries[tenantId] = new Entry(error, clock.GetUtcNow().UtcTicks + _ttl.Ticks);
        return error;
    }

    public void Invalidate(Guid tenantId)
    {
        Interlocked.Increment(ref _version);
        Remove(tenantId);
    }

    private long _version;

    private sealed record Entry(Error? Error, long ExpiresAtTicks);
}
