using Portal.Core.Features.Kyc;

namespace Portal.UnitTests.Features.Kyc;

public class ResidentIdNumberTests
{
    private static readonly DateOnly Today = new(2025, 6, 1);

    /// <summary>A number with the given parts and the correct check character.</summary>
    private static string IdNumber(string region, string birthDate, string sequence = "123")
    {
        var first17 = region + birthDate + sequence;
        return first17 + ResidentIdNumber.ComputeCheckCharacter(first17);
    }

    [Theory]
    [InlineData("11010519491231002", "X")] // the example in GB 11643-1999
    [InlineData("11010519900101103", "X")]
    [InlineData("31010419900228123", "5")]
    [InlineData("11010120240531000", "0")]
    public void Check_character_matches_the_standard(string first17, string expected)
    {
        Assert.Equal(expected, ResidentIdNumber.ComputeCheckCharacter(first17));
    }

    [Fact]
    public void Number_with_X_check_character_is_valid()
    {
        Assert.Null(ResidentIdNumber.Validate("11010519491231002X", Today));
    }

    [Fact]
    public void Lowercase_x_is_normalised_and_accepted()
    {
        Assert.Equal("11010519491231002X", ResidentIdNumber.Normalize(" 11010519491231002x "));
        Assert.Null(ResidentIdNumber.Validate("11010519491231002x", Today));
    }

    [Theory]
    [InlineData("110105", "19800101", "001")]
    [InlineData("440305", "19991231", "578")]
    [InlineData("650102", "20000229", "010")]
    [InlineData("810000", "19750615", "222")]
    [InlineData("710000", "19620310", "111")]
    [InlineData("820000", "20101010", "999")]
    [InlineData("542621", "19000101", "000")]
    public void Generated_well_formed_numbers_are_valid(string region, string birthDate, string sequence)
    {
        Assert.Null(ResidentIdNumber.Validate(IdNumber(region, birthDate, sequence), Today));
    }

    [Theory]
    [InlineData("110105194912310021")]
    [InlineData("110105194912310029")]
    [InlineData("11010519491231003X")]
    [InlineData("110105199001011030")]
    public void Wrong_check_character_is_refused(string number)
    {
        Assert.Equal("Kyc.IdNumber.CheckCharacter", ResidentIdNumber.Validate(number, Today)?.Code);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Missing_number_is_required(string? number)
    {
        Assert.Equal("Kyc.IdNumber.Required", ResidentIdNumber.Validate(number, Today)?.Code);
    }

    [Theory]
    [InlineData("11010519491231002")]   // 17
    [InlineData("11010519491231002X1")] // 19
    [InlineData("110105491231002")]     // the old 15-digit number
    public void Number_that_is_not_18_characters_is_refused(string number)
    {
        Assert.Equal("Kyc.IdNumber.Length", ResidentIdNumber.Validate(number, Today)?.Code);
    }

    [Theory]
    [InlineData("1101051949123100XX")]
    [InlineData("11010519491231A02X")]
    [InlineData("11010519491231002Y")]
    [InlineData("11010519491231 02X")]
    public void Letters_anywhere_but_a_final_X_are_refused(string number)
    {
        Assert.Equal("Kyc.IdNumber.Format", ResidentIdNumber.Validate(number, Today)?.Code);
    }

    [Theory]
    [InlineData("00")]
    [InlineData("10")]
    [InlineData("16")]
    [InlineData("20")]
    [InlineData("24")]
    [InlineData("30")]
    [InlineData("38")]
    [InlineData("47")]
    [InlineData("55")]
    [InlineData("66")]
    [InlineData("72")]
    [InlineData("80")]
    [InlineData("83")]
    [InlineData("91")]
    [InlineData("99")]
    public void Invalid_province_prefix_is_refused(string province)
    {
        var number = IdNumber(province + "0101", "19800101");

        Assert.Equal("Kyc.IdNumber.Region", ResidentIdNumber.Validate(number, Today)?.Code);
    }

    [Fact]
    public void Every_province_level_prefix_is_accepted()
    {
        int[] provinces = [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82];

        foreach (var province in provinces)
        {
            Assert.Null(ResidentIdNumber.Validate(IdNumber($"{province}0101", "19800101"), Today));
        }
    }

    [Theory]
    [InlineData("19900231")] // 31 February does not exist; nor does 30 February
    [InlineData("19900230")]
    [InlineData("19900431")]
    [InlineData("19901301")]
    [InlineData("19900001")]
    [InlineData("19900100")]
    public void Impossible_birth_date_is_refused(string birthDate)
    {
        Assert.Equal("Kyc.IdNumber.BirthDate", ResidentIdNumber.Validate(IdNumber("110105", birthDate), Today)?.Code);
    }

    [Theory]
    [InlineData("20000229")] // divisible by 400
    [InlineData("20240229")]
    [InlineData("19960229")]
    public void Twenty_ninth_of_February_in_a_leap_year_is_accepted(string birthDate)
    {
        Assert.Null(ResidentIdNumber.Validate(IdNumber("110105", birthDate), Today));
    }

    [Theory]
    [InlineData("19000229")] // divisible by 100, not by 400
    [InlineData("20230229")]
    [InlineData("19990229")]
    public void Twenty_ninth_of_February_in_a_common_year_is_refused(string birthDate)
    {
        Assert.Equal("Kyc.IdNumber.BirthDate", ResidentIdNumber.Validate(IdNumber("110105", birthDate), Today)?.Code);
    }

    [Fact]
    public void Birth_date_after_today_is_refused()
    {
        Assert.Equal("Kyc.IdNumber.BirthDate", ResidentIdNumber.Validate(IdNumber("110105", "20250602"), Today)?.Code);
        Assert.Equal("Kyc.IdNumber.BirthDate", ResidentIdNumber.Validate(IdNumber("110105", "20300101"), Today)?.Code);
    }

    [Fact]
    public void Born_today_is_accepted()
    {
        Assert.Null(ResidentIdNumber.Validate(IdNumber("110105", "20250601"), Today));
    }

    [Fact]
    public void Birth_year_before_1900_is_refused()
    {
        // 440524188001010014 has a correct check character but a birth year of 1880.
        Assert.Equal("Kyc.IdNumber.BirthDate", ResidentIdNumber.Validate("440524188001010014", Today)?.Code);
        Assert.Equal("Kyc.IdNumber.BirthDate", ResidentIdNumber.Validate(IdNumber("110105", "18991231"), Today)?.Code);
    }

    [Fact]
    public void Birth_date_is_extracted()
    {
        Assert.Equal(new DateOnly(1949, 12, 31), ResidentIdNumber.GetBirthDate("11010519491231002x"));
    }

    [Theory]
    [InlineData("110105199002310021")]
    [InlineData("1101051949123100")]
    [InlineData(null)]
    public void No_birth_date_is_extracted_from_a_malformed_number(string? number)
    {
        Assert.Null(ResidentIdNumber.GetBirthDate(number));
    }

    [Theory]
    [InlineData("1101051949123100")]
    [InlineData("1101051949123100X")]
    [InlineData("110105194912310021")]
    public void Computing_a_check_character_from_bad_input_throws(string first17)
    {
        Assert.Throws<ArgumentException>(() => ResidentIdNumber.ComputeCheckCharacter(first17));
    }

    [Fact]
    public void Chinese_messages_are_used_when_given()
    {
        var error = ResidentIdNumber.Validate("110105194912310021", Today, KycMessages.Chinese);

        Assert.Equal(KycMessages.Chinese.IdNumberCheckCharacter(), error?.Message);
    }
}
