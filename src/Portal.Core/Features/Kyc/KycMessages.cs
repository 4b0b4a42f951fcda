namespace Portal.Core.Features.Kyc;

/// <summary>The built-in message sets. Both are stateless singletons.</summary>
public static class KycMessages
{
    public static IKycMessages English { get; } = new EnglishMessages();

    public static IKycMessages Chinese { get; } = new ChineseMessages();

    private sealed class EnglishMessages : IKycMessages
    {
        public string CompanyNameRequired() => "Enter the company name.";
        public string CompanyNameTooLong(int maxLength) => $"The company name must be at most {maxLength} characters.";

        public string CreditCodeRequired() => "Enter the unified social credit code.";
        public string CreditCodeLength() => "The unified social credit code must be 18 characters.";
        public string CreditCodeAlphabet() => "The unified social credit code may contain only digits and capital letters other than I, O, S, V and Z.";
        public string CreditCodeAuthority() => "The first character of the unified social credit code is not a known registration authority.";
        public string CreditCodeCategory() => "The second character of the unified social credit code is not a known organisation category.";
        public string CreditCodeRegionCode() => "Characters 3 to 8 of the unified social credit code must be a 6-digit region code.";
        public string CreditCodeCheckCharacter() => "The unified social credit code is mistyped: its check character does not match.";

        public string LegalRepresentativeRequired() => "Enter the legal representative's name.";
        public string LegalRepresentativeLength(int minLength, int maxLength) => $"The legal representative's name must be {minLength} to {maxLength} characters.";
        public string RegisteredAddressRequired() => "Enter the registered address.";
        public string RegisteredAddressTooLong(int maxLength) => $"The registered address must be at most {maxLength} characters.";
        public string ContactNameRequired() => "Enter the contact person's name.";
        public string ContactNameLength(int minLength, int maxLength) => $"The contact person's name must be {minLength} to {maxLength} characters.";
        public string ContactMobileRequired() => "Enter the contact person's mobile number.";
        public string ContactMobileInvalid() => "Enter a valid mainland China mobile number.";
        public string LicenceRequired() => "Upload the business licence.";
        public string AuthorisationLetterRequired() => "Upload an authorisation letter, because the contact person is not the legal representative.";

        public string RealNameRequired() => "Enter your real name.";
        public string RealNameLength(int minLength, int maxLength) => $"The real name must be {minLength} to {maxLength} characters.";

        public string IdNumberRequired() => "Enter the resident ID card number.";
        public string IdNumberLength() => "The resident ID card number must be 18 characters.";
        public string IdNumberFormat() => "The resident ID card number must be 17 digits followed by a digit or X.";
        public string IdNumberRegion() => "The resident ID card number does not start with a valid region code.";
        public string IdNumberBirthDate() => "The resident ID card number does not contain a valid date of birth.";
        public string IdNumberCheckCharacter() => "The resident ID card number is mistyped: its check character does not match.";
        public string IdFrontRequired() => "Upload the front of the ID card.";
        public string IdBackRequired() => "Upload the back of the ID card.";

        public string DocumentEmpty() => "The uploaded file is empty.";
        public string DocumentTooLarge(long maxBytes) => $"The uploaded file is larger than {FormatSize(maxBytes, "bytes")}.";
        public string DocumentUnsupportedType() => "Upload a JPEG, PNG or PDF file.";
    }

    private sealed class ChineseMessages : IKycMessages
    {
        public string CompanyNameRequired() => "请填写企业名称。";
        public string CompanyNameTooLong(int maxLength) => $"企业名称不能超过{maxLength}个字。";

        public string CreditCodeRequired() => "请填写统一社会信用代码。";
        public string CreditCodeLength() => "统一社会信用代码应为18位。";
        public string CreditCodeAlphabet() => "统一社会信用代码只能包含数字和除I、O、S、V、Z以外的大写字母。";
        public string CreditCodeAuthority() => "统一社会信用代码第1位（登记管理部门代码）无效。";
        public string CreditCodeCategory() => "统一社会信用代码第2位（机构类别代码）无效。";
        public string CreditCodeRegionCode() => "统一社会信用代码第3至8位应为6位数字的行政区划码。";
        public string CreditCodeCheckCharacter() => "统一社会信用代码校验位不正确，请核对后重新输入。";

        public string LegalRepresentativeRequired() => "请填写法定代表人姓名。";
        public string LegalRepresentativeLength(int minLength, int maxLength) => $"法定代表人姓名应为{minLength}至{maxLength}个字。";
        public string RegisteredAddressRequired() => "请填写注册地址。";
        public string RegisteredAddressTooLong(int maxLength) => $"注册地址不能超过{maxLength}个字。";
        public string ContactNameRequired() => "请填写联系人姓名。";
        public string ContactNameLength(int minLength, int maxLength) => $"联系人姓名应为{minLength}至{maxLength}个字。";
        public string ContactMobileRequired() => "请填写联系人手机号码。";
        public string ContactMobileInvalid() => "请填写有效的中国大陆手机号码。";
        public string LicenceRequired() => "请上传营业执照。";
        public string AuthorisationLetterRequired() => "联系人不是法定代表人，请上传授权委托书。";

        public string RealNameRequired() => "请填写真实姓名。";
        public string RealNameLength(int minLength, int maxLength) => $"真实姓名应为{minLength}至{maxLength}个字。";

        public string IdNumberRequired() => "请填写居民身份证号码。";
        public string IdNumberLength() => "居民身份证号码应为18位。";
        public string IdNumberFormat() => "居民身份证号码应为17位数字加1位数字或X。";
        public string IdNumberRegion() => "居民身份证号码的地址码无效。";
        public string IdNumberBirthDate() => "居民身份证号码中的出生日期无效。";
        public string IdNumberCheckCharacter() => "居民身份证号码校验位不正确，请核对后重新输入。";
        public string IdFrontRequired() => "请上传身份证人像面。";
        public string IdBackRequired() => "请上传身份证国徽面。";

        public string DocumentEmpty() => "上传的文件为空。";
        public string DocumentTooLarge(long maxBytes) => $"上传的文件不能超过{FormatSize(maxBytes, "字节")}。";
        public string DocumentUnsupportedType() => "请上传JPEG、PNG或PDF文件。";
    }

    private static string FormatSize(long bytes, string bytesUnit) => bytes switch
    {
        >= 1024 * 1024 when bytes % (1024 * 1024) == 0 => $"{bytes / (1024 * 1024)} MB",
        >= 1024 when bytes % 1024 == 0 => $"{bytes / 1024} KB",
        _ => $"{bytes} {bytesUnit}",
    };
}
