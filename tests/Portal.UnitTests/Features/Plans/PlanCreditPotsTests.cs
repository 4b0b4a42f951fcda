using Portal.Core.Common;
using Portal.Core.Features.Plans;
using Portal.Relay.Billing;
using TenantWallet = Portal.Core.Features.Wallet.Wallet;

namespace Portal.UnitTests.Features.Plans;

public class PlanCreditPotsTests
{
    private static readonly DateTimeOffset Now = new(2027, 3, 10, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Expired_pots_are_emptied_and_reported_with_their_expiry()
    {
        var wallet = new TenantWallet
        {
            PlanCreditMicroYuan = 500,
            PlanCreditExpiresAt = Now.AddDays(3),
            CarryoverPlanCreditMicroYuan = 700,
            CarryoverPlanCreditExpiresAt = Now.AddMinutes(-1),
        };

        var changes = PlanCreditPots.ExpireDead(wallet, Now);

        var expired = Assert.Single(changes);
        Assert.Equal(new PlanCreditChange(PlanCreditEventKind.Expired, PlanCreditPot.Carryover, 700, Now.AddMinutes(-1)), expired);
        Assert.Equal((0L, (DateTimeOffset?)null), (wallet.CarryoverPlanCreditMicroYuan, wallet.CarryoverPlanCreditExpiresAt));
        Assert.Equal(500, wallet.PlanCreditMicroYuan);
        Assert.Empty(PlanCreditPots.ExpireDead(wallet, Now));
    }

    [Fact]
    public void A_pot_expires_at_its_expiry_instant_exactly()
    {
        var wallet = new TenantWallet { PlanCreditMicroYuan = 500, PlanCreditExpiresAt = Now };
        Assert.Equal(Money.Zero, wallet.LivePlanCredit(Now));
        Assert.Equal(500, Assert.Single(PlanCreditPots.ExpireDead(wallet, Now)).AmountMicroYuan);
    }

    [Fact]
    public void Carry_over_keeps_the_old_credit_until_its_own_expiry()
    {
        var wallet = new TenantWallet { PlanCreditMicroYuan = 3_000, PlanCreditExpiresAt = Now.AddDays(20) };

        var carried = PlanCreditPots.CarryOver(wallet, Now);
        var granted = PlanCreditPots.Grant(wallet, Money.FromYuan(14_000), Now.AddDays(31));

        Assert.Equal(new PlanCreditChange(PlanCreditEventKind.CarriedOver, PlanCreditPot.Carryover, 3_000, Now.AddDays(20)), carried);
        Assert.Equal(new PlanCreditChange(PlanCreditEventKind.Granted, PlanCreditPot.Current, 14_000_000_000, Now.AddDays(31)), granted);
        Assert.Equal((3_000L, (DateTimeOffset?)Now.AddDays(20)), (wallet.CarryoverPlanCreditMicroYuan, wallet.CarryoverPlanCreditExpiresAt));
        Assert.Equal(new Money(14_000_000_000 + 3_000), wallet.LivePlanCredit(Now));
        Assert.Equal(new Money(14_000_000_000), wallet.LivePlanCredit(Now.AddDays(20)));
    }

    [Fact]
    public void A_second_change_merges_into_carry_over_with_the_earlier_expiry_never_extending_credit()
    {
        var wallet = new TenantWallet
        {
            PlanCreditMicroYuan = 2_000,
            PlanCreditExpiresAt = Now.AddDays(25),
            CarryoverPlanCreditMicroYuan = 1_000,
            CarryoverPlanCreditExpiresAt = Now.AddDays(5),
        };

        var carried = PlanCreditPots.CarryOver(wallet, Now);

        Assert.Equal(new PlanCreditChange(PlanCreditEventKind.CarriedOver, PlanCreditPot.Carryover, 2_000, Now.AddDays(5)), carried);
        Assert.Equal((3_000L, (DateTimeOffset?)Now.AddDays(5)), (wallet.CarryoverPlanCreditMicroYuan, wallet.CarryoverPlanCreditExpiresAt));
        Assert.Equal((0L, (DateTimeOffset?)null), (wallet.PlanCreditMicroYuan, wallet.PlanCreditExpiresAt));
    }

    [Fact]
    public void Nothing_is_carried_from_an_empty_pot_and_a_grant_needs_an_empty_pot()
    {
        var wallet = new TenantWallet();
        Assert.Null(PlanCreditPots.CarryOver(wallet, Now));
        PlanCreditPots.Grant(wallet, Money.FromYuan(1), Now.AddDays(1));
        Assert.Throws<InvalidOperationException>(() => { PlanCreditPots.Grant(wallet, Money.FromYuan(1), Now.AddDays(1)); });
    }

    [Fact]
    public void A_request_is_split_exactly_between_plan_credit_and_balance_carry_over_first()
    {
        // Settlement: plan credit first (the pot that expires first before the other), the balance pays the rest.
        var wallet = new TenantWallet
        {
            PlanCreditMicroYuan = 40_000,
            PlanCreditExpiresAt = Now.AddDays(30),
            CarryoverPlanCreditMicroYuan = 25_000,
            CarryoverPlanCreditExpiresAt = Now.AddDays(2),
        };
        var cost = Pricing.Cost(1_000, 0, 500, new ModelPrices(Money.FromYuan(21), Money.FromYuan(105), new Money(10_500_000)));
        Assert.Equal(new Money(73_500), cost);

        var split = Pricing.SplitCharge(cost, wallet.LivePlanCredit(Now));
        var drawn = wallet.DrawPlanCredit(split.PlanPart, Now);

        Assert.Equal(new Money(65_000), split.PlanPart);
        Assert.Equal(new Money(8_500), split.WalletPart);
        Assert.Equal(split.PlanPart, drawn);
        Assert.Equal(cost, drawn + split.WalletPart);
        Assert.Equal((0L, 0L), (wallet.CarryoverPlanCreditMicroYuan, wallet.PlanCreditMicroYuan));

        // A smaller request takes only from the carry-over, which expires first.
        var second = new TenantWallet
        {
            PlanCreditMicroYuan = 40_000,
            PlanCreditExpiresAt = Now.AddDays(30),
            CarryoverPlanCreditMicroYuan = 25_000,
            CarryoverPlanCreditExpiresAt = Now.AddDays(2),
        };
        var small = Pricing.SplitCharge(new Money(10_000), second.LivePlanCredit(Now));
        Assert.Equal((new Money(10_000), Money.Zero), (small.PlanPart, small.WalletPart));
        second.DrawPlanCredit(small.PlanPart, Now);
        Assert.Equal((15_000L, 40_000L), (second.CarryoverPlanCreditMicroYuan, second.PlanCreditMicroYuan));

        // Expired credit pays nothing: the whole cost goes to the balance.
        var late = Pricing.SplitCharge(new Money(10_000), second.LivePlanCredit(Now.AddDays(31)));
        Assert.Equal((Money.Zero, new Money(10_000)), (late.PlanPart, late.WalletPart));
    }
}
