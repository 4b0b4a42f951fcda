using Portal.Core.Features.Payments.BankTransfer;

namespace Portal.UnitTests.Features.Payments;

public class RemittanceCodesTests
{
    [Fact]
    public void Codes_are_eight_characters_without_look_alikes_and_do_not_repeat()
    {
        var codes = Enumerable.Range(0, 20_000).Select(_ => RemittanceCodes.New()).ToList();
        Assert.All(codes, c =>
        {
            Assert.Equal(8, c.Length);
            Assert.True(RemittanceCodes.IsWellFormed(c));
            Assert.DoesNotContain(c, ch => "0O1IL".Contains(ch));
        });
        Assert.Equal(codes.Count, codes.Distinct().Count());
        Assert.Equal(31, RemittanceCodes.Alphabet.Distinct().Count());
        Assert.DoesNotContain(RemittanceCodes.Alphabet, ch => "0O1IL".Contains(ch));
    }

    [Theory]
    [InlineData("转账 rc7k 2m9q 货款", "RC7K2M9Q")]
    [InlineData("RC7K-2M9Q", "RC7K2M9Q")]
    [InlineData("ｒｃ７ｋ２ｍ９ｑ", "RC7K2M9Q")]
    public void Memos_are_normalised_to_letters_and_digits(string memo, string expected) =>
        Assert.Contains(expected, RemittanceCodes.Normalize(memo));

    [Fact]
    public void Display_splits_the_code_in_two_groups() => Assert.Equal("RC7K 2M9Q", RemittanceCodes.Display("RC7K2M9Q"));
}
