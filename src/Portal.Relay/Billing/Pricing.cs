using Portal.Core.Common;

namespace Portal.Relay.Billing;

/// <summary>
/// Turns token counts into <see cref="Money"/>. Integer arithmetic only: every product is an <see cref="Int128"/> of
/// tokens × micro-yuan-per-million, so no intermediate can overflow for any <see cref="long"/> inputs.
/// </summary>
/// <remarks>
/// <para><b>Rounding rule (the only one, applied once to the exact sum):</b> the exact cost is
/// <c>(uncachedInput × inputPrice + cachedInput × cachedPrice + output × outputPrice) / 1,000,000</c> micro-yuan; the
/// result is that value rounded <b>up</b> (ceiling) to the next whole micro-yuan.</para>
/// <para>Why ceiling: a micro-yuan is ¥0.000001, so the customer pays at most ¥0.000001 more per request than the exact
/// price, while the platform never under-charges what the upstream bills it. It is also monotonic (more tokens never
/// cost less), which is what makes a hold computed by <see cref="HoldFor"/> an upper bound of the final
/// <see cref="Cost(long, long, long, long, ModelPrices)"/> for the same or fewer tokens. Banker's rounding would be fairer on average but can round a
/// non-zero cost to zero (a 1-token request on a cheap model), which would let a flood of tiny requests run free.
/// Rounding each component separately is not allowed: it would charge up to 3 micro-yuan of rounding.</para>
/// </remarks>
public static class Pricing
{
    private const long TokensPerMillion = 1_000_000;

    /// <summary>
    /// The cost of one request. <paramref name="inputTokens"/> is the whole prompt as OpenAI reports it in
    /// <c>usage.prompt_tokens</c>, which <b>includes</b> <paramref name="cachedInputTokens"/>
    /// (<c>prompt_tokens_details.cached_tokens</c>); the cached part is billed at the cached price and the rest at the
    /// input price.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A count or a price is negative.</exception>
    /// <exception cref="OverflowException">The cost does not fit in <see cref="Money"/> (beyond ¥9.2 trillion).</exception>
    public static Money Cost(long inputTokens, long cachedInputTokens, long outputTokens, ModelPrices prices) =>
        Cost(inputTokens, cachedInputTokens, 0, outputTokens, prices);

    /// <summary>
    /// The cost of one request whose prompt (<paramref name="inputTokens"/>, the whole prompt) partly came from the
    /// upstream's cache (<paramref name="cachedInputTokens"/>, cached price) and partly was written to it
    /// (<paramref name="cacheWriteTokens"/>, cache-write price); the rest is billed at the input price.
    /// </summary>
    public static Money Cost(long inputTokens, long cachedInputTokens, long cacheWriteTokens, long outputTokens, ModelPrices prices)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(cachedInputTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(cacheWriteTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(outputTokens);
        EnsureNonNegative(prices);

        // An upstream that reports more cached tokens than prompt tokens is inconsistent; bill the whole prompt at the
        // cached price rather than invent tokens (never charge for more input than prompt_tokens). Cache writes come
        // out of what is left.
        var cached = Math.Min(cachedInputTokens, inputTokens);
        var written = Math.Min(cacheWriteTokens, inputTokens - cached);
        var uncached = inputTokens - cached - written;

        var exact = (Int128)uncached * prices.InputPerMillion.MicroYuan
                    + (Int128)cached * prices.CachedInputPerMillion.MicroYuan
                    + (Int128)written * prices.CacheWritePerMillion.MicroYuan
                    + (Int128)outputTokens * prices.OutputPerMillion.MicroYuan;

        // NOTE: the single rounding step. Ceiling of a non-negative quotient = (n + d - 1) / d.
        var micro = (exact + (TokensPerMillion - 1)) / TokensPerMillion;
        return new Money(checked((long)micro));
    }

    /// <summary>
    /// The amount to reserve before forwarding a request: the cost of <paramref name="promptEstimateTokens"/> input
    /// tokens (at the higher of the input and cache-write prices: how the upstream's cache will count them is unknown in advance) and <paramref name="maxOutputTokens"/>
    /// output tokens. Same rounding as <see cref="Cost(long, long, long, long, ModelPrices)"/>, so the hold is never below the final cost of a request whose
    /// prompt and completion do not exceed the estimates.
    /// </summary>
    public static Money HoldFor(long promptEstimateTokens, long maxOutputTokens, ModelPrices prices) =>
        prices.CacheWritePerMillion > prices.InputPerMillion
            ? Cost(promptEstimateTokens, 0, promptEstimateTokens, maxOutputTokens, prices)
            : Cost(promptEstimateTokens, 0, maxOutputTokens, prices);

    /// <summary>
    /// Splits <paramref name="cost"/> between plan credit and wallet: plan credit is used first, up to what is
    /// available; the wallet pays the remainder. A non-positive <paramref name="planCreditAvailable"/> means none.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="cost"/> is negative.</exception>
    public static ChargeSplit SplitCharge(Money cost, Money planCreditAvailable)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cost.MicroYuan, nameof(cost));
        var plan = Math.Clamp(planCreditAvailable.MicroYuan, 0, cost.MicroYuan);
        return new ChargeSplit(new Money(plan), new Money(cost.MicroYuan - plan));
    }

    private static void EnsureNonNegative(ModelPrices prices)
    {
        if (prices.InputPerMillion.MicroYuan < 0 || prices.OutputPerMillion.MicroYuan < 0 || prices.CachedInputPerMillion.MicroYuan < 0 || prices.CacheWritePerMillion.MicroYuan < 0)
            throw new ArgumentOutOfRangeException(nameof(prices), prices, "Prices must not be negative.");
    }
}
