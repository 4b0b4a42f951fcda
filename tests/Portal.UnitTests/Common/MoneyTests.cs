using Portal.Core.Common;

namespace Portal.UnitTests.Common;

public sealed class MoneyTests
{
    [Theory]
    [InlineData(0L, "¥0.00")]
    [InlineData(1_000_000L, "¥1.00")]
    [InlineData(1_234_560_000L, "¥1,234.56")]
    [InlineData(5_000L, "¥0.01")]
    [InlineData(4_999L, "¥0.00")]
    [InlineData(-88_880_000L, "-¥88.88")]
    public void Displays_yuan_with_two_decimals_and_separators(long micro, string expected) =>
        Assert.Equal(expected, new Money(micro).ToDisplay());

    [Fact]
    public void Per_request_costs_show_more_decimals() => Assert.Equal("¥0.000315", new Money(315).ToDisplay(6));

    [Theory]
    [InlineData("88.88", 88_880_000L)]
    [InlineData("¥1,234.56", 1_234_560_000L)]
    [InlineData(" 100 ", 100_000_000L)]
    [InlineData("0.000001", 1L)]
    public void Parses_amounts_people_type(string text, long micro)
    {
        Assert.True(Money.TryParseYuan(text, out var money));
        Assert.Equal(micro, money.MicroYuan);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("0.0000001")]
    [InlineData("1e3")]
    public void Refuses_what_is_not_an_exact_amount(string text) => Assert.False(Money.TryParseYuan(text, out _));

    [Fact]
    public void Arithmetic_is_exact_and_checked()
    {
        var a = Money.FromFen(1);
        Assert.Equal(30_000L, (a + a + a).MicroYuan);
        Assert.True(Money.FromYuan(1) > Money.FromFen(99));
        Assert.Throws<OverflowException>(() => new Money(long.MaxValue) + new Money(1));
    }
}
