using Portal.Core.Common;
using Portal.Core.Features.Discounts;
using Portal.Core.Features.Sla;

namespace Portal.UnitTests.Features.Service;

public class ServiceCreditMathTests
{
    private static readonly SlaTerms TwiceTheFees = new(999_000, 200, 100);

    [Fact]
    public void A_met_target_gives_nothing_even_with_some_failures()
    {
        // 1 failure in 10,000 requests = 99.99 % ≥ 99.9 %.
        var result = SlaCalculator.Assess(TwiceTheFees, [new SlaDay("m", 20261103, 5_000_000, 10_000, 1)]);
        var model = Assert.Single(result.Models);
        Assert.Equal((999_900, false, 0L, 0L), (model.AvailabilityPpm, model.Breached, model.CreditMicroYuan, result.AmountMicroYuan));
    }

    [Fact]
    public void Credit_is_the_days_fees_times_the_rule_times_hours_down_summed_over_days_and_rounded_down_to_the_fen()
    {
        // Day 1: ¥99, 1 % failed = 0.24 h → 2 × 99 × 0.24 = ¥47.52. Day 2: ¥10, 10 % failed = 2.4 h → 2 × 10 × 2.4 = ¥48.
        // Day 3: ¥0.33, 1 of 3 failed = 8 h → 2 × 0.33 × 8 = ¥5.28. A day with fees but no measured traffic counts as up.
        var result = SlaCalculator.Assess(TwiceTheFees,
        [
            new SlaDay("m", 1, 99_000_000, 100, 1),
            new SlaDay("m", 2, 10_000_000, 10, 1),
            new SlaDay("m", 3, 330_000, 3, 1),
            new SlaDay("m", 4, 1_000_000, 0, 0),
        ]);
        Assert.Equal(Money.FromFen(4752 + 4800 + 528).MicroYuan, result.AmountMicroYuan);
        Assert.Equal(110_330_000, result.FeesMicroYuan);
    }

    [Fact]
    public void Availability_is_weighted_by_the_tenants_own_fees_not_by_requests()
    {
        // The model failed half its requests on a day this tenant spent ¥0.01, and nothing on a day it spent ¥1,000.
        var result = SlaCalculator.Assess(TwiceTheFees, [new SlaDay("m", 1, 10_000, 2, 1), new SlaDay("m", 2, 1_000_000_000, 1_000, 0)]);
        var model = Assert.Single(result.Models);
        Assert.False(model.Breached);
        Assert.Equal(999_995, model.AvailabilityPpm);
    }

    [Fact]
    public void The_cap_limits_each_models_credit_to_its_share_of_the_months_fees()
    {
        var result = SlaCalculator.Assess(new SlaTerms(999_000, 1_000, 50),
            [new SlaDay("a", 1, 10_000_000, 2, 1), new SlaDay("b", 1, 20_000_000, 100, 0)]);
        // a: 10 × 10 × 12 h = ¥1,200, capped at 50 % of ¥10 = ¥5; b met the target.
        Assert.Equal((Money.FromYuan(5).MicroYuan, 0L), (result.Models.Single(m => m.Model == "a").CreditMicroYuan, result.Models.Single(m => m.Model == "b").CreditMicroYuan));
        Assert.Equal(Money.FromYuan(5).MicroYuan, result.AmountMicroYuan);
    }

    [Fact]
    public void A_miss_by_less_than_a_ppm_is_still_a_miss()
    {
        // 1 of 1,000,001 failed: 999,999.000001 ppm is below a 100 % target.
        var result = SlaCalculator.Assess(new SlaTerms(1_000_000, 100, 100), [new SlaDay("m", 1, 1_000_000_000_000, 1_000_001, 1)]);
        Assert.True(Assert.Single(result.Models).Breached);
    }

    private static readonly VolumeDiscountTier[] Tiers =
    [
        new() { MinimumSpendMicroYuan = Money.FromYuan(10_000).MicroYuan, RateBasisPoints = 1_000 },
        new() { MinimumSpendMicroYuan = Money.FromYuan(50_000).MicroYuan, RateBasisPoints = 1_500 },
    ];

    [Theory]
    [InlineData(999_999, 0, 0)]
    [InlineData(1_000_000, 1_000, 100_000)]
    [InlineData(4_999_999, 1_000, 499_999)]
    [InlineData(5_000_000, 1_500, 750_000)]
    public void Tier_edges_in_fen(long spentFen, int expectedRate, long expectedRebateFen)
    {
        var spent = Money.FromFen(spentFen);
        var tier = VolumeDiscounts.TierFor(Tiers, spent);
        Assert.Equal(expectedRate, tier?.RateBasisPoints ?? 0);
        Assert.Equal(Money.FromFen(expectedRebateFen), VolumeDiscounts.Rebate(spent, tier));
    }

    [Fact]
    public void Progress_says_how_much_more_reaches_the_next_tier()
    {
        var progress = VolumeDiscounts.Progress(Tiers, Money.FromYuan(8_200), planCreditCounts: false);
        Assert.Equal((Money.FromYuan(1_800), "10", "9"), (progress.ToNext, progress.Next!.PercentText, progress.Next.ZheText));
        Assert.Null(progress.Current);
        var top = VolumeDiscounts.Progress(Tiers, Money.FromYuan(60_000), planCreditCounts: true);
        Assert.Equal(("8.5", Money.FromYuan(9_000)), (top.Current!.ZheText, top.Rebate));
        Assert.Null(top.Next);
    }
}
