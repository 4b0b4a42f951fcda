using System.Globalization;

namespace Portal.Core.Features.Kyc;

/// <summary>
/// The KYC texts in the UI language of the moment (Chinese unless English was chosen), decided at each call, so
/// one validator instance speaks the language of whoever is being validated.
/// </summary>
public sealed class LocalizedKycMessages : IKycMessages
{
    /// <summary>The built-in message set for the current UI culture.</summary>
    public static IKycMessages Current =>
        CultureInfo.CurrentUICulture.Name.StartsWith("en", StringComparison.OrdinalIgnoreCase) ? KycMessages.English : KycMessages.Chinese;

    public string CompanyNameRequired() => Current.CompanyNameRequired();
    public string CompanyNameTooLong(int maxLength) => Current.CompanyNameTooLong(maxLength);
    public string CreditCodeRequired() => Current.CreditCodeRequired();
    public string CreditCodeLength() => Current.CreditCodeLength();
    public string CreditCodeAlphabet() => Current.CreditCodeAlphabet();
    public string CreditCodeAuthority() => Current.CreditCodeAuthority();
    public string CreditCodeCategory() => Current.CreditCodeCategory();
    public string CreditCodeRegionCode() => Current.CreditCodeRegionCode();
    public string CreditCodeCheckCharacter() => Current.CreditCodeCheckCharacter();
    public string LegalRepresentativeRequired() => Current.LegalRepresentativeRequired();
    public string LegalRepresentativeLength(int minLength, int maxLength) => Current.LegalRepresentativeLength(minLength, maxLength);
    public string RegisteredAddressRequired() => Current.RegisteredAddressRequired();
    public string RegisteredAddressTooLong(int maxLength) => Current.RegisteredAddressTooLong(maxLength);
    public string ContactNameRequired() => Current.ContactNameRequired();
    public string ContactNameLength(int minLength, int maxLength) => Current.ContactNameLength(minLength, maxLength);
    public string ContactMobileRequired() => Current.ContactMobileRequired();
    public string ContactMobileInvalid() => Current.ContactMobileInvalid();
    public string LicenceRequired() => Current.LicenceRequired();
    public string AuthorisationLetterRequired() => Current.AuthorisationLetterRequired();
    public string RealNameRequired() => Current.RealNameRequired();
    public string RealNameLength(int minLength, int maxLength) => Current.RealNameLength(minLength, maxLength);
    public string IdNumberRequired() => Current.IdNumberRequired();
    public string IdNumberLength() => Current.IdNumberLength();
    public string IdNumberFormat() => Current.IdNumberFormat();
    public string IdNumberRegion() => Current.IdNumberRegion();
    public string IdNumberBirthDate() => Current.IdNumberBirthDate();
    public string IdNumberCheckCharacter() => Current.IdNumberCheckCharacter();
    public string IdFrontRequired() => Current.IdFrontRequired();
    public string IdBackRequired() => Current.IdBackRequired();
    public string DocumentEmpty() => Current.DocumentEmpty();
    public string DocumentTooLarge(long maxBytes) => Current.DocumentTooLarge(maxBytes);
    public string DocumentUnsupportedType() => Current.DocumentUnsupportedType();

    /// <summary>The <see cref="DocumentSniffer"/> error (English) in the UI language, by its code.</summary>
    public static Common.Error Translate(Common.Error error) => error.Code switch
    {
        KycErrorCodes.DocumentEmpty => error with { Message = Current.DocumentEmpty() },
        KycErrorCodes.DocumentTooLarge => error with { Message = Current.DocumentTooLarge(KycLimits.DocumentMaxBytes) },
        KycErrorCodes.DocumentUnsupportedType => error with { Message = Current.DocumentUnsupportedType() },
        _ => error,
    };
}
