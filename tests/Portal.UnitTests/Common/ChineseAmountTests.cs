using Portal.Core.Common;

namespace Portal.UnitTests.Common;

public class ChineseAmountTests
{
    [Theory]
    [InlineData("0.00", "零元整")]
    [InlineData("0.01", "壹分")]
    [InlineData("0.10", "壹角")]
    [InlineData("0.11", "壹角壹分")]
    [InlineData("1.00", "壹元整")]
    [InlineData("10.00", "壹拾元整")]
    [InlineData("100.01", "壹佰元零壹分")]
    [InlineData("1000000.05", "壹佰万元零伍分")]
    [InlineData("100010.10", "壹拾万零壹拾元壹角")]
    [InlineData("100000000.00", "壹亿元整")]
    [InlineData("1.50", "壹元伍角")]
    [InlineData("1.05", "壹元零伍分")]
    [InlineData("1001.00", "壹仟零壹元整")]
    [InlineData("10000.00", "壹万元整")]
    [InlineData("101000.00", "壹拾万壹仟元整")]
    [InlineData("100000001.00", "壹亿零壹元整")]
    [InlineData("1010101010.10", "壹拾亿壹仟零壹拾万壹仟零壹拾元壹角")]
    [InlineData("120000.00", "壹拾贰万元整")]
    [InlineData("20.30", "贰拾元叁角")]
    [InlineData("3.04", "叁元零肆分")]
    // The examples printed in 《正确填写票据和结算凭证的基本规定》.
    [InlineData("1409.50", "壹仟肆佰零玖元伍角")]
    [InlineData("6007.14", "陆仟零柒元壹角肆分")]
    [InlineData("1680.32", "壹仟陆佰捌拾元叁角贰分")]
    [InlineData("107000.53", "壹拾万柒仟元伍角叁分")]
    [InlineData("16409.02", "壹万陆仟肆佰零玖元零贰分")]
    [InlineData("325.04", "叁佰贰拾伍元零肆分")]
    // Zeros across group boundaries.
    [InlineData("100010000.00", "壹亿零壹万元整")]
    [InlineData("100100.00", "壹拾万零壹佰元整")]
    [InlineData("1000100.00", "壹佰万零壹佰元整")]
    [InlineData("110000000.00", "壹亿壹仟万元整")]
    [InlineData("1060.00", "壹仟零陆拾元整")]
    [InlineData("999999999999.99", "玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分")]
    public void Writes_financial_uppercase(string yuan, string expected)
    {
        Assert.True(Money.TryParseYuan(yuan, out var amount));

        Assert.Equal(expected, ChineseAmount.ToUppercaseRmb(amount));
    }

    [Theory]
    [InlineData(4_999, "零元整")] // 0.004999 yuan
    [InlineData(5_000, "壹分")] // 0.005 rounds half away from zero
    [InlineData(1_994_999, "壹元玖角玖分")]
    [InlineData(1_995_000, "贰元整")]
    public void Rounds_to_the_fen_half_away_from_zero_first(long microYuan, string expected) =>
        Assert.Equal(expected, ChineseAmount.ToUppercaseRmb(new Money(microYuan)));

    [Theory]
    [InlineData(-1)]
    [InlineData(-10_000)]
    [InlineData(1_000_000_000_000L * Money.MicroPerYuan)]
    [InlineData(999_999_999_999L * Money.MicroPerYuan + 995_000)] // rounds up to 1e12
    public void Rejects_negative_and_too_large_amounts(long microYuan) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ChineseAmount.ToUppercaseRmb(new Money(microYuan)));
}
