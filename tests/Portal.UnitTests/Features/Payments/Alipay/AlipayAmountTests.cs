using Portal.Core.Features.Payments.Alipay;

namespace Portal.UnitTests.Features.Payments.Alipay;

public class AlipayAmountTests
{
    [Theory]
    [InlineData(0L, "0.00")]
    [InlineData(10_000L, "0.01")]
    [InlineData(100_000L, "0.10")]
    [InlineData(1_500_000L, "1.50")]
    [InlineData(100_000_000_000L, "100000.00")]
    [InlineData(100_000_000_000_000L, "100000000.00")]
    public void Format_writes_invariant_yuan_with_two_decimals(long microYuan, string expected) =>
        Assert.Equal(expected, AlipayAmount.Format(microYuan));

    [Theory]
    [InlineData(1L)]
    [InlineData(10_001L)]
    [InlineData(9_999L)]
    public void Format_refuses_fractions_of_a_fen(long microYuan) =>
        Assert.Throws<ArgumentException>(() => AlipayAmount.Format(microYuan));

    [Fact]
    public void Format_refuses_negative_amounts() =>
        Assert.Throws<ArgumentException>(() => AlipayAmount.Format(-10_000));

    [Fact]
    public void Format_ignores_the_current_culture()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        try
        {
            // de-DE writes 1,50; Alipay would reject it.
            Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal("1234.50", AlipayAmount.Format(1_234_500_000));
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }

    [Theory]
    [InlineData("0.01", 10_000L)]
    [InlineData("0.1", 100_000L)]
    [InlineData("1", 1_000_000L)]
    [InlineData("1.5", 1_500_000L)]
    [InlineData("100000.00", 100_000_000_000L)]
    [InlineData("0.00", 0L)]
    public void TryParse_reads_yuan_strings(string text, long expected)
    {
        Assert.True(AlipayAmount.TryParse(text, out var microYuan));
        Assert.Equal(expected, microYuan);
    }

    [Theory]
    [InlineData("1.001")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1e3")]
    [InlineData("1E3")]
    [InlineData(" 1.00")]
    [InlineData("1.00 ")]
    [InlineData("1 000")]
    [InlineData("1,00")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("abc")]
    [InlineData("１.00")] // full-width digit
    [InlineData("٣.00")] // Arabic-Indic digit: char.IsDigit says yes
    [InlineData("99999999999999999999")] // overflows long micro-yuan
    [InlineData("NaN")]
    public void TryParse_refuses_anything_but_plain_digits(string? text)
    {
        Assert.False(AlipayAmount.TryParse(text, out var microYuan));
        Assert.Equal(0, microYuan);
    }

    [Theory]
    [InlineData(10_000L)]
    [InlineData(123_456_780_000L)]
    public void Format_and_TryParse_round_trip(long microYuan)
    {
        Assert.True(AlipayAmount.TryParse(AlipayAmount.Format(microYuan), out var back));
        Assert.Equal(microYuan, back);
    }
}
