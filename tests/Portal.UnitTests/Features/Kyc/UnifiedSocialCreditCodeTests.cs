using Portal.Core.Features.Kyc;

namespace Portal.UnitTests.Features.Kyc;

public class UnifiedSocialCreditCodeTests
{
    // Real codes whose check characters were verified with an independent computation.
    [Theory]
    [InlineData("91350100M000100Y43")]
    [InlineData("91110000600037341L")]
    [InlineData("91330201MA282UF146")]
    [InlineData("91440300708461136T")]
    public void Known_real_codes_are_valid(string code)
    {
        Assert.Null(UnifiedSocialCreditCode.Validate(code));
    }

    [Theory]
    [InlineData("91350100M000100Y4", "3")]
    [InlineData("91110000600037341", "L")]
    [InlineData("91330401MA28ADM67", "R")]
    [InlineData("91110000MA0000024", "0")] // weighted sum is a multiple of 31: 31 maps to 0
    public void Check_character_matches_the_standard(string first17, string expected)
    {
        Assert.Equal(expected, UnifiedSocialCreditCode.ComputeCheckCharacter(first17));
    }

    [Fact]
    public void Lowercase_credit_code_is_normalised_and_accepted()
    {
        Assert.Equal("91330201MA282UF146", UnifiedSocialCreditCode.Normalize("91330201ma282uf146"));
        Assert.Null(UnifiedSocialCreditCode.Validate("91330201ma282uf146"));
    }

    [Fact]
    public void Spaces_around_and_inside_the_code_are_removed()
    {
        Assert.Equal("91110000600037341L", UnifiedSocialCreditCode.Normalize("  9111 0000 6000 3734 1L\t"));
        Assert.Null(UnifiedSocialCreditCode.Validate(" 9111 0000 6000 3734 1L "));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Missing_code_is_required(string? code)
    {
        Assert.Equal("Kyc.CreditCode.Required", UnifiedSocialCreditCode.Validate(code)?.Code);
    }

    [Theory]
    [InlineData("91350100M000100Y4")]   // 17
    [InlineData("91350100M000100Y433")] // 19
    [InlineData("9")]
    public void Code_that_is_not_18_characters_is_refused(string code)
    {
        Assert.Equal("Kyc.CreditCode.Length", UnifiedSocialCreditCode.Validate(code)?.Code);
    }

    [Theory]
    [InlineData('I')]
    [InlineData('O')]
    [InlineData('S')]
    [InlineData('V')]
    [InlineData('Z')]
    public void Forbidden_letter_in_the_body_is_refused(char letter)
    {
        var code = "91330201MA282UF146".Remove(10, 1).Insert(10, letter.ToString());

        Assert.Equal("Kyc.CreditCode.Alphabet", UnifiedSocialCreditCode.Validate(code)?.Code);
    }

    [Theory]
    [InlineData('I')]
    [InlineData('O')]
    [InlineData('S')]
    [InlineData('V')]
    [InlineData('Z')]
    public void Forbidden_letter_as_check_character_is_refused_as_alphabet_error(char letter)
    {
        Assert.Equal("Kyc.CreditCode.Alphabet", UnifiedSocialCreditCode.Validate("91110000600037341" + letter)?.Code);
    }

    [Theory]
    [InlineData("91110000-00037341L")]
    [InlineData("９1110000600037341L")] // full-width digit
    public void Punctuation_and_non_ascii_characters_are_refused(string code)
    {
        Assert.Equal("Kyc.CreditCode.Alphabet", UnifiedSocialCreditCode.Validate(code)?.Code);
    }

    [Theory]
    [InlineData("01110000600037341L")]
    [InlineData("B1110000600037341L")]
    [InlineData("X1110000600037341L")]
    public void Unknown_registration_authority_is_refused(string code)
    {
        Assert.Equal("Kyc.CreditCode.Authority", UnifiedSocialCreditCode.Validate(code)?.Code);
    }

    [Theory]
    [InlineData("94110000600037341L")] // 工商 has only 1, 2, 3
    [InlineData("99110000600037341L")]
    [InlineData("14110000600037341L")] // 机构编制 has 1, 2, 3, 9
    [InlineData("Y2110000600037341L")] // 其他 is always 1
    [InlineData("26110000600037341L")] // 外交 has 1, 9
    [InlineData("A2110000600037341L")]
    public void Unknown_category_for_the_authority_is_refused(string code)
    {
        Assert.Equal("Kyc.CreditCode.Category", UnifiedSocialCreditCode.Validate(code)?.Code);
    }

    [Theory]
    [InlineData("1", "1239")]
    [InlineData("2", "19")]
    [InlineData("3", "123459")]
    [InlineData("4", "19")]
    [InlineData("5", "1239")]
    [InlineData("6", "129")]
    [InlineData("7", "129")]
    [InlineData("8", "19")]
    [InlineData("9", "123")]
    [InlineData("A", "19")]
    [InlineData("N", "1239")]
    [InlineData("Y", "1")]
    public void Every_category_of_the_standards_table_is_accepted(string authority, string categories)
    {
        foreach (var category in categories)
        {
            var first17 = authority + category + "110000MA0000000";
            var code = first17 + UnifiedSocialCreditCode.ComputeCheckCharacter(first17);

            Assert.Null(UnifiedSocialCreditCode.Validate(code));
        }
    }

    [Fact]
    public void Region_code_with_letters_is_refused()
    {
        Assert.Equal("Kyc.CreditCode.RegionCode", UnifiedSocialCreditCode.Validate("9111A000600037341L")?.Code);
    }

    [Theory]
    [InlineData("91110000600037341K")]
    [InlineData("91110000600037314L")] // two digits swapped
    [InlineData("91350100M000100Y44")]
    public void Wrong_check_character_is_refused(string code)
    {
        Assert.Equal("Kyc.CreditCode.CheckCharacter", UnifiedSocialCreditCode.Validate(code)?.Code);
    }

    [Fact]
    public void Chinese_messages_are_used_when_given()
    {
        var error = UnifiedSocialCreditCode.Validate("91110000600037341K", KycMessages.Chinese);

        Assert.Equal("Kyc.CreditCode.CheckCharacter", error?.Code);
        Assert.Equal(KycMessages.Chinese.CreditCodeCheckCharacter(), error?.Message);
    }

    [Theory]
    [InlineData("9111000060003734")]
    [InlineData("911100006000373411")]
    [InlineData("9111000060003734I")]
    public void Computing_a_check_character_from_bad_input_throws(string first17)
    {
        Assert.Throws<ArgumentException>(() => UnifiedSocialCreditCode.ComputeCheckCharacter(first17));
    }

    [Fact]
    public void Generated_codes_are_valid_enterprise_codes()
    {
        var rng = new Random(20240601);

        for (var i = 0; i < 1000; i++)
        {
            var code = UnifiedSocialCreditCode.Generate(rng);

            Assert.StartsWith("91", code);
            Assert.Null(UnifiedSocialCreditCode.Validate(code));
        }
    }

    [Fact]
    public void Generation_is_repeatable_with_the_same_seed()
    {
        Assert.Equal(UnifiedSocialCreditCode.Generate(new Random(7)), UnifiedSocialCreditCode.Generate(new Random(7)));
    }
}
