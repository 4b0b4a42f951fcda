using Portal.Core.Common;
using Portal.Core.Features.Invoices;

namespace Portal.UnitTests.Features.Invoices;

public class TaxSplitTests
{
    // Worked by hand at 6 % (÷ 1.06 in fen: gross × 10000 ÷ 10600):
    //   1 fen       → 0.943…      → 1         tax 0
    //   5 fen       → 4.716…      → 5         tax 0
    //   106 fen     → 100 exactly             tax 6
    //   10000 fen   → 9433.962…   → 9434      tax 566
    //   3333 fen    → 3144.339…   → 3144      tax 189
    //   99999999    → 94339621.698… → 94339622 tax 5660377
    [Theory]
    [InlineData(1, 1, 0)]
    [InlineData(5, 5, 0)]
    [InlineData(106, 100, 6)]
    [InlineData(10_000, 9_434, 566)]
    [InlineData(3_333, 3_144, 189)]
    [InlineData(99_999_999, 94_339_622, 5_660_377)]
    [InlineData(106_000, 100_000, 6_000)]
    [InlineData(0, 0, 0)]
    public void Splits_gross_at_six_percent(long grossFen, long netFen, long taxFen)
    {
        var split = TaxSplit.FromGross(Money.FromFen(grossFen), 600);

        Assert.Equal(Money.FromFen(netFen), split.Net);
        Assert.Equal(Money.FromFen(taxFen), split.Tax);
        Assert.Equal(split.Gross, split.Net + split.Tax);
        Assert.Equal(600, split.RateBasisPoints);
    }

    [Theory]
    [InlineData(11_300, 1_300, 10_000, 1_300)] // 113.00 at 13 %
    [InlineData(10_300, 300, 10_000, 300)] // 103.00 at 3 %
    [InlineData(100, 1_300, 88, 12)] // 1.00 / 1.13 = 0.8849… → 0.88
    [InlineData(1_234, 0, 1_234, 0)] // zero-rated
    public void Splits_at_other_rates(long grossFen, int rate, long netFen, long taxFen)
    {
        var split = TaxSplit.FromGross(Money.FromFen(grossFen), rate);

        Assert.Equal((Money.FromFen(netFen), Money.FromFen(taxFen)), (split.Net, split.Tax));
    }

    [Fact]
    public void An_exact_half_fen_rounds_away_from_zero()
    {
        // At 100 % a gross of 1 fen is exactly 0.5 fen net; 6 % and 13 % never land on a half.
        Assert.Equal(Money.FromFen(1), TaxSplit.FromGross(Money.FromFen(1), 10_000).Net);
        Assert.Equal(Money.FromFen(-1), TaxSplit.FromGross(Money.FromFen(-1), 10_000).Net);
    }

    [Fact]
    public void A_credit_note_splits_symmetrically()
    {
        var split = TaxSplit.FromGross(Money.FromFen(-3_333), 600);

        Assert.Equal(Money.FromFen(-3_144), split.Net);
        Assert.Equal(Money.FromFen(-189), split.Tax);
    }

    [Fact]
    public void Rejects_amounts_below_the_fen() =>
        Assert.Throws<ArgumentException>(() => TaxSplit.FromGross(new Money(10_001), 600));

    [Theory]
    [InlineData(-1)]
    [InlineData(10_001)]
    public void Rejects_rates_outside_zero_to_one_hundred_percent(int rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TaxSplit.FromGross(Money.FromFen(100), rate));
}
