using Portal.Core.Common;

namespace Portal.Relay.Billing;

/// <summary>
/// A model's prices, each in <see cref="Money"/> per 1,000,000 tokens. <paramref name="CachedInputPerMillion"/> applies to
/// the part of the prompt the upstream reports as served from its prompt cache.
/// </summary>
public readonly record struct ModelPrices(Money InputPerMillion, Money OutputPerMillion, Money CachedInputPerMillion)
{
    /// <summary>Prices with no cache discount: cached input costs the same as input.</summary>
    public static ModelPrices WithoutCacheDiscount(Money inputPerMillion, Money outputPerMillion) =>
        new(inputPerMillion, outputPerMillion, inputPerMillion);
}
