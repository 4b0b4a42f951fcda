using Portal.Core.Common;
using Portal.Relay.Billing;

namespace Portal.UnitTests.Relay.Billing;

public class PricingTests
{
    // gpt-4o at ¥21 / ¥105 per 1M tokens, cached input ¥10.5.
    private static readonly ModelPrices Gpt4o = new(Money.FromYuan(21), Money.FromYuan(105), new Money(10_500_000));

    [Fact]
    public void Cost_of_1000_in_and_500_out_on_gpt4o_is_73500_micro_yuan()
    {
        // ¥0.021 + ¥0.0525 = ¥0.0735
        Assert.Equal(new Money(73_500), Pricing.Cost(1_000, 0, 500, Gpt4o));
    }

    [Fact]
    public void Cached_input_is_part_of_input_and_billed_at_the_cached_price()
    {
        // 1,000 prompt tokens of which 400 cached: 600 × 21 + 400 × 10.5 = 12,600 + 4,200 micro-yuan; + 500 out = 52,500.
        Assert.Equal(new Money(69_300), Pricing.Cost(1_000, 400, 500, Gpt4o));
    }

    [Fact]
    public void More_cached_than_prompt_tokens_bills_the_whole_prompt_as_cached()
    {
        Assert.Equal(Pricing.Cost(100, 100, 0, Gpt4o), Pricing.Cost(100, 500, 0, Gpt4o));
    }

    [Fact]
    public void Rounding_is_ceiling_of_the_exact_sum_to_the_micro_yuan()
    {
        // 1 token at ¥21/M = 21 micro-yuan exactly; at ¥0.5/M = 0.5 micro-yuan → 1.
        var cheap = ModelPrices.WithoutCacheDiscount(new Money(500_000), new Money(1_500_000));
        Assert.Equal(new Money(1), Pricing.Cost(1, 0, 0, cheap));
        Assert.Equal(new Money(2), Pricing.Cost(1, 0, 1, cheap)); // 0.5 + 1.5 = 2.0 exactly: no rounding
        Assert.Equal(new Money(2), Pricing.Cost(3, 0, 0, cheap)); // 1.5 → 2
        Assert.Equal(new Money(1), Pricing.Cost(2, 0, 0, cheap)); // 1.0 exactly
    }

    [Fact]
    public void Rounding_is_applied_once_to_the_sum_not_per_component()
    {
        // Components 0.4 + 0.4 + 0.4 = 1.2 → 2 micro-yuan. Rounding each up would give 3.
        var prices = new ModelPrices(new Money(400_000), new Money(400_000), new Money(400_000));
        Assert.Equal(new Money(2), Pricing.Cost(2, 1, 1, prices));
    }

    [Fact]
    public void Zero_tokens_cost_nothing()
    {
        Assert.Equal(Money.Zero, Pricing.Cost(0, 0, 0, Gpt4o));
    }

    [Fact]
    public void A_trillion_tokens_do_not_overflow()
    {
        // 1e12 × ¥105/M = ¥105,000,000; 1e12 in + 1e12 out on gpt-4o = ¥126,000,000.
        Assert.Equal(Money.FromYuan(126_000_000), Pricing.Cost(1_000_000_000_000, 0, 1_000_000_000_000, Gpt4o));
    }

    [Fact]
    public void Products_beyond_long_are_exact_thanks_to_int128()
    {
        // long.MaxValue tokens × 1 micro-yuan per M: the product fits only in Int128.
        var prices = ModelPrices.WithoutCacheDiscount(new Money(1), new Money(1));
        Assert.Equal(new Money((long.MaxValue / 1_000_000) + 1), Pricing.Cost(long.MaxValue, 0, 0, prices));
    }

    [Fact]
    public void A_cost_that_does_not_fit_in_money_throws()
    {
        Assert.Throws<OverflowException>(() => Pricing.Cost(long.MaxValue, 0, long.MaxValue, Gpt4o));
    }

    [Fact]
    public void Negative_counts_or_prices_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Pricing.Cost(-1, 0, 0, Gpt4o));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pricing.Cost(0, -1, 0, Gpt4o));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pricing.Cost(0, 0, -1, Gpt4o));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pricing.Cost(1, 0, 0, Gpt4o with { InputPerMillion = new Money(-1) }));
    }

    [Fact]
    public void Hold_prices_the_estimate_at_full_input_price()
    {
        // 2,000 prompt + 4,096 max output on gpt-4o: 42,000 + 430,080 micro-yuan.
        Assert.Equal(new Money(472_080), Pricing.HoldFor(2_000, 4_096, Gpt4o));
    }

    [Theory]
    [InlineData(1_000, 0, 500)]
    [InlineData(1_000, 999, 1)]
    [InlineData(3, 3, 0)]
    [InlineData(1, 0, 4_096)]
    public void Hold_covers_the_final_cost_of_any_request_within_the_estimates(long prompt, long cached, long output)
    {
        var odd = new ModelPrices(new Money(333_333), new Money(1_777_777), new Money(111_111));

        Assert.True(Pricing.HoldFor(prompt, output, odd) >= Pricing.Cost(prompt, cached, output, odd));
        Assert.True(Pricing.HoldFor(prompt, 4_096, odd) >= Pricing.Cost(prompt, cached, Math.Min(output, 4_096), odd));
    }

    [Fact]
    public void Split_charge_uses_plan_credit_first()
    {
        Assert.Equal(new ChargeSplit(new Money(73_500), Money.Zero), Pricing.SplitCharge(new Money(73_500), Money.FromYuan(10)));
        Assert.Equal(new ChargeSplit(new Money(50_000), new Money(23_500)), Pricing.SplitCharge(new Money(73_500), new Money(50_000)));
        Assert.Equal(new ChargeSplit(Money.Zero, new Money(73_500)), Pricing.SplitCharge(new Money(73_500), Money.Zero));
    }

    [Fact]
    public void Split_charge_treats_negative_plan_credit_as_none()
    {
        var (plan, wallet) = Pricing.SplitCharge(new Money(100), new Money(-5));

        Assert.Equal(Money.Zero, plan);
        Assert.Equal(new Money(100), wallet);
    }

    [Fact]
    public void Split_charge_parts_always_add_up_to_the_cost()
    {
        foreach (var available in new long[] { -1, 0, 1, 99, 100, 101, long.MaxValue })
        {
            var split = Pricing.SplitCharge(new Money(100), new Money(available));
            Assert.Equal(new Money(100), split.Total);
            Assert.True(split.PlanPart.MicroYuan >= 0 && split.WalletPart.MicroYuan >= 0);
        }
    }

    [Fact]
    public void Split_charge_rejects_a_negative_cost()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Pricing.SplitCharge(new Money(-1), Money.Zero));
    }
}
