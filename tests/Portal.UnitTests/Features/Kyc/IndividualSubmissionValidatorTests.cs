using FluentValidation.Results;
using Portal.Core.Features.Kyc;

namespace Portal.UnitTests.Features.Kyc;

public class IndividualSubmissionValidatorTests
{
    // 2025-05-31 16:30 UTC is already 2025-06-01 00:30 in China.
    private static readonly DateTimeOffset ShortlyAfterMidnightInChina = new(2025, 5, 31, 16, 30, 0, TimeSpan.Zero);

    private static readonly IndividualSubmission Valid = new("王小明", "11010519491231002X", HasFront: true, HasBack: true);

    private static string IdNumberBornOn(string birthDate)
    {
        var first17 = "110105" + birthDate + "123";
        return first17 + ResidentIdNumber.ComputeCheckCharacter(first17);
    }

    private static ValidationResult Validate(IndividualSubmission submission, IKycMessages? messages = null) =>
        new IndividualSubmissionValidator(new ManualTimeProvider(ShortlyAfterMidnightInChina), messages).Validate(submission);

    private static string[] Codes(ValidationResult result) => result.Errors.Select(e => e.ErrorCode).ToArray();

    [Fact]
    public void Complete_submission_is_valid()
    {
        Assert.True(Validate(Valid).IsValid);
    }

    [Fact]
    public void Empty_submission_reports_one_coded_error_per_field()
    {
        var result = Validate(new IndividualSubmission("", "", false, false));

        Assert.Equal(["Kyc.RealName.Required", "Kyc.IdNumber.Required", "Kyc.IdFront.Required", "Kyc.IdBack.Required"], Codes(result));
    }

    [Theory]
    [InlineData("王")]
    [InlineData("王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王王")] // 31
    public void Real_name_outside_2_to_30_characters_is_refused(string name)
    {
        Assert.Equal(["Kyc.RealName.Length"], Codes(Validate(Valid with { RealName = name })));
    }

    [Theory]
    [InlineData("110105194912310021", "Kyc.IdNumber.CheckCharacter")]
    [InlineData("11010519491231002", "Kyc.IdNumber.Length")]
    [InlineData("1101051949123100XX", "Kyc.IdNumber.Format")]
    [InlineData("991051949123100210", "Kyc.IdNumber.Region")]
    [InlineData("110105199002310021", "Kyc.IdNumber.BirthDate")]
    public void Invalid_id_number_reports_its_specific_code(string idNumber, string expectedCode)
    {
        var failure = Assert.Single(Validate(Valid with { IdNumber = idNumber }).Errors);

        Assert.Equal(nameof(IndividualSubmission.IdNumber), failure.PropertyName);
        Assert.Equal(expectedCode, failure.ErrorCode);
    }

    [Fact]
    public void Birth_date_is_compared_with_the_date_in_china_not_utc()
    {
        // Born on 1 June 2025: already today in Beijing, though still tomorrow in UTC.
        Assert.True(Validate(Valid with { IdNumber = IdNumberBornOn("20250601") }).IsValid);
        Assert.Equal(["Kyc.IdNumber.BirthDate"], Codes(Validate(Valid with { IdNumber = IdNumberBornOn("20250602") })));
    }

    [Fact]
    public void Today_is_read_when_validating_not_when_the_validator_is_made()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var validator = new IndividualSubmissionValidator(clock);
        var bornInSpring = Valid with { IdNumber = IdNumberBornOn("20250301") };

        Assert.False(validator.Validate(bornInSpring).IsValid);

        clock.UtcNow = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.True(validator.Validate(bornInSpring).IsValid);
    }

    [Fact]
    public void Both_sides_of_the_id_card_are_required()
    {
        Assert.Equal(["Kyc.IdFront.Required"], Codes(Validate(Valid with { HasFront = false })));
        Assert.Equal(["Kyc.IdBack.Required"], Codes(Validate(Valid with { HasBack = false })));
    }

    [Fact]
    public void Messages_follow_the_chosen_language()
    {
        var failure = Assert.Single(Validate(Valid with { IdNumber = "110105194912310021" }, KycMessages.Chinese).Errors);

        Assert.Equal("居民身份证号码校验位不正确，请核对后重新输入。", failure.ErrorMessage);
    }
}
