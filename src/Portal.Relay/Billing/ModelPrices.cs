using Portal.Core.Common;

namespace Portal.Relay.Billing;

/// <summary>
/// A model's prices, each in <see cref="Money"/> per 1,000,000 tokens. <paramref name="CachedInputPerMillion"/> applies to
/// the part of the prompt the upstream reports as served from its prompt cache, <see cref="CacheWritePerMillion"/> to
/// the part it reports as written to it.
/// </summary>
public readonly record struct ModelPrices(Money InputPerMillion, Money OutputPerMillion, Money CachedInputPerMillion)
{
    /// <summary>Prices with a cache-write price too.</summary>
    public ModelPrices(Money inputPerMillion, Money outputPerMillion, Money cachedInputPerMillion, Money cacheWritePerMillion)
        : this(inputPerMillion, outputPerMillion, cachedInputPerMillion) => CacheWritePerMillion = cacheWritePerMillion;

    /// <summary>Price of prompt tokens written to the upstream's cache; the input price unless set.</summary>
    public Money CacheWritePerMillion
    {
        get => _cacheWrite ?? InputPerMillion;
        init => _cacheWrite = value;
    }

    private readonly Money? _cacheWrite;

    /// <summary>Prices with no cache discount: cached input costs the same as input.</summary>
    public static ModelPrices WithoutCacheDiscount(Money inputPerMillion, Money outputPerMillion) =>
        new(inputPerMillion, outputPerMillion, inputPerMillion);
}
