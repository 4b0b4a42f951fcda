namespace Portal.Core.Features.Kyc;

/// <summary>
/// Error codes produced by the KYC checks. They are stable identifiers: the UI and API clients
/// may switch on them, so renaming one is a breaking change.
/// </summary>
public static class KycErrorCodes
{
    public const string CompanyNameRequired = "Kyc.CompanyName.Required";
    public const string CompanyNameTooLong = "Kyc.CompanyName.TooLong";

    public const string CreditCodeRequired = "Kyc.CreditCode.Required";
    public const string CreditCodeLength = "Kyc.CreditCode.Length";
    public const string CreditCodeAlphabet = "Kyc.CreditCode.Alphabet";
    public const string CreditCodeAuthority = "Kyc.CreditCode.Authority";
    public const string CreditCodeCategory = "Kyc.CreditCode.Category";
    public const string CreditCodeRegionCode = "Kyc.CreditCode.RegionCode";
    public const string CreditCodeCheckCharacter = "Kyc.CreditCode.CheckCharacter";

    public const string LegalRepresentativeRequired = "Kyc.LegalRepresentative.Required";
    public const string LegalRepresentativeLength = "Kyc.LegalRepresentative.Length";
    public const string RegisteredAddressRequired = "Kyc.RegisteredAddress.Required";
    public const string RegisteredAddressTooLong = "Kyc.RegisteredAddress.TooLong";
    public const string ContactNameRequired = "Kyc.ContactName.Required";
    public const string ContactNameLength = "Kyc.ContactName.Length";
    public const string ContactMobileRequired = "Kyc.ContactMobile.Required";
    public const string ContactMobileInvalid = "Kyc.ContactMobile.Invalid";
    public const string LicenceRequired = "Kyc.Licence.Required";
    public const string AuthorisationLetterRequired = "Kyc.AuthorisationLetter.Required";

    public const string RealNameRequired = "Kyc.RealName.Required";
    public const string RealNameLength = "Kyc.RealName.Length";

    public const string IdNumberRequired = "Kyc.IdNumber.Required";
    public const string IdNumberLength = "Kyc.IdNumber.Length";
    public const string IdNumberFormat = "Kyc.IdNumber.Format";
    public const string IdNumberRegion = "Kyc.IdNumber.Region";
    public const string IdNumberBirthDate = "Kyc.IdNumber.BirthDate";
    public const string IdNumberCheckCharacter = "Kyc.IdNumber.CheckCharacter";
    public const string IdFrontRequired = "Kyc.IdFront.Required";
    public const string IdBackRequired = "Kyc.IdBack.Required";

    public const string DocumentEmpty = "Kyc.Document.Empty";
    public const string DocumentTooLarge = "Kyc.Document.TooLarge";
    public const string DocumentUnsupportedType = "Kyc.Document.UnsupportedType";
}
