using Portal.Core.Features.Catalog;
using Portal.Relay.Billing;
using Portal.Relay.Forwarding;
using Portal.Relay.Tokens;

namespace Portal.Relay.Catalog;

/// <summary>The enabled models with their prices and the channels that serve them, as of one read of the catalog.</summary>
internal sealed class CatalogSnapshot(IReadOnlyDictionary<string, RelayModel> models, IReadOnlyList<RelayModel> listed)
{
    public static CatalogSnapshot Empty { get; } = new(new Dictionary<string, RelayModel>(), []);

    /// <summary>Enabled models by public id.</summary>
    public IReadOnlyDictionary<string, RelayModel> Models { get; } = models;

    /// <summary>Enabled models that have at least one enabled channel, in the catalog's display order.</summary>
    public IReadOnlyList<RelayModel> Listed { get; } = listed;
}

/// <summary>A model as the relay uses it: prices at the time of the snapshot and its routes by priority.</summary>
internal sealed class RelayModel
{
    public required string PublicId { get; init; }

    /// <summary>The operator's display name (Anthropic's model list shows it as <c>display_name</c>).</summary>
    public string DisplayName { get; init; } = "";

    public required ModelKind Kind { get; init; }

    public required ModelPrices Prices { get; init; }

    public required int DefaultHoldOutputTokens { get; init; }

    /// <summary>Output tokens when a request gives none and the upstream requires a number (Anthropic's <c>max_tokens</c>).</summary>
    public int DefaultMaxOutputTokens => DefaultHoldOutputTokens;

    public bool SupportsTools { get; init; } = true;

    public bool SupportsVision { get; init; } = true;

    public bool SupportsJsonMode { get; init; } = true;

    public required TokenEncoding Encoding { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Routes sorted by priority (lower first).</summary>
    public required ChannelRoute[] Routes { get; init; }

    /// <summary>
    /// The order to try the routes in for one request: priority groups in order, and within a group a weighted random
    /// permutation (each remaining route drawn with probability weight / remaining weight).
    /// </summary>
    public ChannelRoute[] AttemptOrder()
    {
        var routes = Routes;
        if (routes.Length <= 1) return routes;
        var order = (ChannelRoute[])routes.Clone();
        var start = 0;
        while (start < order.Length)
        {
            var end = start + 1;
            while (end < order.Length && order[end].Priority == order[start].Priority) end++;
            for (var i = start; i < end - 1; i++)
            {
                long total = 0;
                for (var j = i; j < end; j++) total += order[j].Weight;
                var draw = Random.Shared.NextInt64(total);
                var pick = i;
                for (var j = i; j < end; j++)
                {
                    draw -= order[j].Weight;
                    if (draw < 0)
                    {
                        pick = j;
                        break;
                    }
                }

                (order[i], order[pick]) = (order[pick], order[i]);
            }

            start = end;
        }

        return order;
    }
}

/// <summary>One channel serving one model: the id the upstream knows the model by, and the channel's rank.</summary>
internal sealed record ChannelRoute(ChannelRuntime Channel, string UpstreamModelId, int Priority, int Weight);
