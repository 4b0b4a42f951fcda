using Portal.Core.Common;
using WalletEntity = Portal.Core.Features.Wallet.Wallet;

namespace Portal.UnitTests.Features.Wallet;

public sealed class PlanCreditDrawTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Draws_from_the_pot_that_expires_first_then_the_other()
    {
        var wallet = new WalletEntity
        {
            PlanCreditMicroYuan = 500,
            PlanCreditExpiresAt = Now.AddDays(30),
            CarryoverPlanCreditMicroYuan = 300,
            CarryoverPlanCreditExpiresAt = Now.AddDays(5),
        };

        var taken = wallet.DrawPlanCredit(new Money(400), Now);

        Assert.Equal(400, taken.MicroYuan);
        Assert.Equal(0, wallet.CarryoverPlanCreditMicroYuan);
        Assert.Equal(400, wallet.PlanCreditMicroYuan);
        Assert.Equal(400, wallet.LivePlanCredit(Now).MicroYuan);
    }

    [Fact]
    public void Never_takes_expired_credit_or_more_than_is_live()
    {
        var wallet = new WalletEntity
        {
            PlanCreditMicroYuan = 200,
            PlanCreditExpiresAt = Now.AddDays(1),
            CarryoverPlanCreditMicroYuan = 900,
            CarryoverPlanCreditExpiresAt = Now,
        };

        var taken = wallet.DrawPlanCredit(new Money(1_000), Now);

        Assert.Equal(200, taken.MicroYuan);
        Assert.Equal(0, wallet.PlanCreditMicroYuan);
        Assert.Equal(900, wallet.CarryoverPlanCreditMicroYuan);
        Assert.Equal(Money.Zero, wallet.LivePlanCredit(Now));
    }
}
