using FluentValidation.Results;
using Portal.Core.Features.Kyc;

namespace Portal.UnitTests.Features.Kyc;

public class EnterpriseSubmissionValidatorTests
{
    private static readonly EnterpriseSubmission Valid = new(
        CompanyName: "福州示例科技有限公司",
        CreditCode: "91350100M000100Y43",
        LegalRepresentative: "张三",
        RegisteredAddress: "福建省福州市鼓楼区五四路1号",
        ContactName: "李四",
        ContactMobile: "+86 138 1234 5678",
        ContactIsLegalRepresentative: false,
        HasLicence: true,
        HasAuthorisationLetter: true);

    private static ValidationResult Validate(EnterpriseSubmission submission, IKycMessages? messages = null) =>
        new EnterpriseSubmissionValidator(messages).Validate(submission);

    private static string[] Codes(ValidationResult result) => result.Errors.Select(e => e.ErrorCode).ToArray();

    [Fact]
    public void Complete_submission_is_valid()
    {
        Assert.True(Validate(Valid).IsValid);
    }

    [Fact]
    public void Empty_submission_reports_one_coded_error_per_field()
    {
        var result = Validate(new EnterpriseSubmission("", "", "", "", "", "", false, false, false));

        Assert.Equal(
            [
                "Kyc.CompanyName.Required", "Kyc.CreditCode.Required", "Kyc.LegalRepresentative.Required",
                "Kyc.RegisteredAddress.Required", "Kyc.ContactName.Required", "Kyc.ContactMobile.Required",
                "Kyc.Licence.Required", "Kyc.AuthorisationLetter.Required",
            ],
            Codes(result));
    }

    [Fact]
    public void White_space_only_fields_count_as_empty()
    {
        var result = Validate(Valid with { CompanyName = "   ", LegalRepresentative = "\t" });

        Assert.Equal(["Kyc.CompanyName.Required", "Kyc.LegalRepresentative.Required"], Codes(result));
    }

    [Fact]
    public void Company_name_of_100_characters_is_accepted_and_101_refused()
    {
        Assert.True(Validate(Valid with { CompanyName = new string('企', 100) }).IsValid);
        Assert.Equal(["Kyc.CompanyName.TooLong"], Codes(Validate(Valid with { CompanyName = new string('企', 101) })));
    }

    [Fact]
    public void Registered_address_over_200_characters_is_refused()
    {
        Assert.True(Validate(Valid with { RegisteredAddress = new string('路', 200) }).IsValid);
        Assert.Equal(["Kyc.RegisteredAddress.TooLong"], Codes(Validate(Valid with { RegisteredAddress = new string('路', 201) })));
    }

    [Theory]
    [InlineData("张")]
    [InlineData("  张  ")]
    [InlineData("阿卜杜热合曼·买买提明·阿卜杜热西提·艾力·热合曼江·努尔买买提")] // 32
    public void Person_names_outside_2_to_30_characters_are_refused(string name)
    {
        var result = Validate(Valid with { LegalRepresentative = name, ContactName = name });

        Assert.Equal(["Kyc.LegalRepresentative.Length", "Kyc.ContactName.Length"], Codes(result));
    }

    [Fact]
    public void Name_with_characters_outside_the_bmp_counts_each_character_once()
    {
        // 30 CJK Extension B characters are 60 UTF-16 code units but 30 characters.
        var name = string.Concat(Enumerable.Repeat("𠀀", 30));

        Assert.True(Validate(Valid with { LegalRepresentative = name }).IsValid);
    }

    [Theory]
    [InlineData("91350100M000100Y44", "Kyc.CreditCode.CheckCharacter")]
    [InlineData("91350100M000100Y4", "Kyc.CreditCode.Length")]
    [InlineData("91350100M0001O0Y43", "Kyc.CreditCode.Alphabet")]
    [InlineData("B1350100M000100Y43", "Kyc.CreditCode.Authority")]
    [InlineData("94350100M000100Y43", "Kyc.CreditCode.Category")]
    [InlineData("9135A100M000100Y43", "Kyc.CreditCode.RegionCode")]
    public void Invalid_credit_code_reports_its_specific_code(string creditCode, string expectedCode)
    {
        var failure = Assert.Single(Validate(Valid with { CreditCode = creditCode }).Errors);

        Assert.Equal(nameof(EnterpriseSubmission.CreditCode), failure.PropertyName);
        Assert.Equal(expectedCode, failure.ErrorCode);
    }

    [Fact]
    public void Lowercase_credit_code_is_accepted()
    {
        Assert.True(Validate(Valid with { CreditCode = "91350100m000100y43" }).IsValid);
    }

    [Fact]
    public void Invalid_mobile_is_refused()
    {
        Assert.Equal(["Kyc.ContactMobile.Invalid"], Codes(Validate(Valid with { ContactMobile = "12812345678" })));
    }

    [Fact]
    public void Licence_is_required()
    {
        Assert.Equal(["Kyc.Licence.Required"], Codes(Validate(Valid with { HasLicence = false })));
    }

    [Fact]
    public void Contact_who_is_not_the_legal_representative_needs_an_authorisation_letter()
    {
        var result = Validate(Valid with { ContactIsLegalRepresentative = false, HasAuthorisationLetter = false });

        Assert.Equal(["Kyc.AuthorisationLetter.Required"], Codes(result));
    }

    [Fact]
    public void Legal_representative_as_contact_needs_no_authorisation_letter()
    {
        var submission = Valid with { ContactName = "张三", ContactIsLegalRepresentative = true, HasAuthorisationLetter = false };

        Assert.True(Validate(submission).IsValid);
    }

    [Fact]
    public void Messages_are_english_by_default_and_chinese_when_asked()
    {
        var submission = Valid with { HasLicence = false };

        Assert.Equal("Upload the business licence.", Assert.Single(Validate(submission).Errors).ErrorMessage);
        Assert.Equal("请上传营业执照。", Assert.Single(Validate(submission, KycMessages.Chinese).Errors).ErrorMessage);
    }

    [Fact]
    public void Credit_code_message_follows_the_chosen_language()
    {
        var failure = Assert.Single(Validate(Valid with { CreditCode = "91350100M000100Y44" }, KycMessages.Chinese).Errors);

        Assert.Equal(KycMessages.Chinese.CreditCodeCheckCharacter(), failure.ErrorMessage);
    }
}
