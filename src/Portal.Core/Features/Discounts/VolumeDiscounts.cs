using Portal.Core.Common;

namespace Portal.Core.Features.Discounts;

/// <summary>Where a month's spend stands against the tiers.</summary>
/// <param name="Spent">Counted spend so far (cost at list prices, without plan credit unless it counts).</param>
/// <param name="Current">The highest tier reached, if any.</param>
/// <param name="Next">The next tier up, if any.</param>
/// <param name="ToNext">How much more spend reaches <paramref name="Next"/>.</param>
/// <param name="Rebate">The rebate the month would earn if it ended now.</param>
/// <param name="PlanCreditCounts">Whether usage paid from plan credit counts.</param>
public sealed record DiscountProgress(Money Spent, VolumeDiscountTier? Current, VolumeDiscountTier? Next, Money ToNext, Money Rebate, bool PlanCreditCounts);

/// <summary>
/// The volume-discount arithmetic. The highest tier whose minimum the counted spend reaches (≥) applies to the whole
/// counted spend; the rebate is spend × rate, rounded down to the fen.
/// </summary>
public static class VolumeDiscounts
{
    public static VolumeDiscountTier? TierFor(IEnumerable<VolumeDiscountTier> tiers, Money spent) =>
        tiers.Where(t => t.MinimumSpendMicroYuan <= spent.MicroYuan).MaxBy(t => t.MinimumSpendMicroYuan);

    public static Money Rebate(Money spent, VolumeDiscountTier? tier)
    {
        if (tier is null || spent <= Money.Zero) return Money.Zero;
        var micro = (long)((Int128)spent.MicroYuan * tier.RateBasisPoints / 10_000);
        return new Money(micro - micro % Money.MicroPerFen);
    }

    public static DiscountProgress Progress(IReadOnlyList<VolumeDiscountTier> tiers, Money spent, bool planCreditCounts)
    {
        var current = TierFor(tiers, spent);
        var next = tiers.Where(t => t.MinimumSpendMicroYuan > spent.MicroYuan).MinBy(t => t.MinimumSpendMicroYuan);
        var toNext = next is null ? Money.Zero : next.MinimumSpend - spent;
        return new DiscountProgress(spent, current, next, toNext, Rebate(spent, current), planCreditCounts);
    }
}
