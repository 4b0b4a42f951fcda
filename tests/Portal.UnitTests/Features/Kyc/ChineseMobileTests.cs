using Portal.Core.Features.Kyc;

namespace Portal.UnitTests.Features.Kyc;

public class ChineseMobileTests
{
    [Theory]
    [InlineData("13812345678")]
    [InlineData("19912345678")]
    [InlineData("16612345678")]
    [InlineData(" 15012345678 ")]
    [InlineData("138 1234 5678")]
    [InlineData("138-1234-5678")]
    [InlineData("+8613812345678")]
    [InlineData("+86 138 1234 5678")]
    [InlineData("+86-138-1234-5678")]
    [InlineData("8613812345678")]
    [InlineData("86 138 1234 5678")]
    public void Mainland_mobile_numbers_are_valid(string number)
    {
        Assert.True(ChineseMobile.IsValid(number));
        Assert.Equal(11, ChineseMobile.Normalize(number).Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12812345678")]   // second digit 2
    [InlineData("10812345678")]
    [InlineData("23812345678")]
    [InlineData("1381234567")]    // 10 digits
    [InlineData("138123456789")]  // 12 digits
    [InlineData("+8513812345678")]
    [InlineData("+86 12812345678")]
    [InlineData("1381234567a")]
    [InlineData("１３８１２３４５６７８")] // full-width digits
    [InlineData("010-12345678")]  // a landline
    [InlineData("(138)12345678")]
    public void Other_numbers_are_invalid(string? number)
    {
        Assert.False(ChineseMobile.IsValid(number));
    }

    [Theory]
    [InlineData("+86 138-1234-5678", "13812345678")]
    [InlineData("86 13812345678", "13812345678")]
    [InlineData(" 13812345678 ", "13812345678")]
    public void Normalising_gives_the_national_number(string input, string expected)
    {
        Assert.Equal(expected, ChineseMobile.Normalize(input));
    }
}
