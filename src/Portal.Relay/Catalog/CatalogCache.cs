using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Data;
using Portal.Core.Features.Catalog;
using Portal.Relay.Billing;
using Portal.Relay.Forwarding;
using Portal.Relay.Tokens;

namespace Portal.Relay.Catalog;

/// <summary>
/// Models, prices and channels (with their decrypted upstream keys) in memory. After <see cref="RelayOptions.CacheTtl"/>
/// the next request triggers a refresh in the background and keeps using the previous snapshot meanwhile; after
/// <c>IRelayCache.CatalogChanged</c> the next request waits for a fresh read, so a change made on this replica applies
/// at once. Channel runtimes (circuit breakers, health) outlive snapshots.
/// </summary>
internal sealed class CatalogCache(IServiceScopeFactory scopes, ChannelSecrets secrets, IOptions<RelayOptions> options, TimeProvider clock, ILogger<CatalogCache> logger)
{
    private readonly ConcurrentDictionary<Guid, ChannelRuntime> _channels = new();
    private readonly Lock _gate = new();
    private readonly RelayOptions _options = options.Value;
    private CatalogSnapshot? _snapshot;
    private long _expiresAtTicks;
    private Task<CatalogSnapshot>? _refresh;
    private long _version;

    public ValueTask<CatalogSnapshot> GetAsync()
    {
        // NOTE: the expiry is read before the snapshot, and the snapshot again after the invalidation flag: a refresh
        // writes its snapshot before its expiry and before clearing the flag, so a request that sees either change also
        // sees the new snapshot. (Reading the snapshot first let a request racing a refresh pair the fresh expiry with
        // the snapshot from before CatalogChanged, and answer model_not_found for a model just created.)
        var expiresAt = Volatile.Read(ref _expiresAtTicks);
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is not null && expiresAt > clock.GetUtcNow().UtcTicks) return ValueTask.FromResult(snapshot);
        var refresh = StartRefresh();
        // Expired by time only: serve the previous snapshot while the refresh runs. Invalidated or first: wait for it.
        return !_invalidated && Volatile.Read(ref _snapshot) is { } current ? ValueTask.FromResult(current) : new ValueTask<CatalogSnapshot>(refresh);
    }

    private volatile bool _invalidated;

    public void Invalidate()
    {
        lock (_gate)
        {
            _version++;
            _invalidated = true;
            _expiresAtTicks = 0;
            _refresh = null;
        }
    }

    /// <summary>Every channel this replica has seen, for health reporting.</summary>
    public IReadOnlyCollection<ChannelRuntime> Channels => (IReadOnlyCollection<ChannelRuntime>)_channels.Values;

    public bool TryGetChannel(Guid id, out ChannelRuntime channel) => _channels.TryGetValue(id, out channel!);

    private Task<CatalogSnapshot> StartRefresh()
    {
        lock (_gate)
        {
            if (_refresh is { IsCompleted: false } running) return running;
            var version = _version;
            var task = LoadAsync(version);
            _refresh = task;
            return task;
        }
    }

    private async Task<CatalogSnapshot> LoadAsync(long version)
    {
        await Task.Yield();
        try
        {
            var snapshot = await ReadAsync();
            lock (_gate)
            {
                if (_version == version)
                {
                    Volatile.Write(ref _snapshot, snapshot);
                    Volatile.Write(ref _expiresAtTicks, clock.GetUtcNow().UtcTicks + _options.CacheTtl.Ticks);
                    _invalidated = false;
                }
            }

            return snapshot;
        }
        catch (Exception e) when (Volatile.Read(ref _snapshot) is { } previous && !_invalidated)
        {
            logger.LogWarning(e, "Refreshing the relay catalog failed; keeping the previous snapshot.");
            return previous;
        }
    }

    private async Task<CatalogSnapshot> ReadAsync()
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var models = await db.AiModels.AsNoTracking().Where(m => m.Enabled).OrderBy(m => m.SortOrder).ThenBy(m => m.PublicId).ToListAsync();
        var channels = await db.Channels.AsNoTracking().Include(c => c.Models).Where(c => c.Enabled).ToListAsync();

        var routes = new Dictionary<string, List<ChannelRoute>>(StringComparer.Ordinal);
        foreach (var channel in channels)
        {
            string? apiKey = null;
            if (channel.ApiKeyProtected is { Length: > 0 } protectedKey)
            {
                try
                {
                    apiKey = secrets.Unprotect(protectedKey);
                }
                catch (Exception e)
                {
                    // A key the Data Protection ring cannot read: the channel cannot work; leave it out and say why.
                    logger.LogError(e, "The upstream key of channel {Channel} cannot be decrypted; the channel is skipped.", channel.Name);
                    continue;
                }
            }

            var settings = ChannelSettings.From(channel, apiKey);
            var runtime = _channels.AddOrUpdate(channel.Id, _ => new ChannelRuntime(settings, _options, clock), (_, existing) =>
            {
                existing.Update(settings);
                return existing;
            });
            foreach (var mapping in channel.Models)
            {
                if (!routes.TryGetValue(mapping.PublicModelId, out var list)) routes[mapping.PublicModelId] = list = [];
                list.Add(new ChannelRoute(runtime, mapping.UpstreamModelId, channel.Priority, Math.Max(1, channel.Weight)));
            }
        }

        var byId = new Dictionary<string, RelayModel>(StringComparer.Ordinal);
        var listed = new List<RelayModel>();
        foreach (var model in models)
        {
            var modelRoutes = routes.TryGetValue(model.PublicId, out var list) ? list.OrderBy(r => r.Priority).ToArray() : [];
            var relayModel = new RelayModel
            {
                PublicId = model.PublicId,
                DisplayName = string.IsNullOrWhiteSpace(model.DisplayName) ? model.PublicId : model.DisplayName,
                Kind = model.Kind,
                Prices = new ModelPrices(new(model.InputPricePerMillionMicroYuan), new(model.OutputPricePerMillionMicroYuan), new(model.CachedInputPricePerMillionMicroYuan),
                    new(model.CacheWritePricePerMillionMicroYuan ?? model.InputPricePerMillionMicroYuan)),
                SupportsTools = model.SupportsTools,
                SupportsVision = model.SupportsVision,
                SupportsJsonMode = model.SupportsJsonMode,
                DefaultHoldOutputTokens = Math.Max(1, model.DefaultHoldOutputTokens),
                Encoding = model.Tokenizer == ModelTokenizer.Cl100kBase ? TokenEncoding.Cl100kBase : TokenEncoding.O200kBase,
                CreatedAt = model.CreatedAt,
                Routes = modelRoutes,
            };
            byId[model.PublicId] = relayModel;
            if (modelRoutes.Length > 0) listed.Add(relayModel);
        }

        return new CatalogSnapshot(byId, listed);
    }
}
