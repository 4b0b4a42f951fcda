namespace Portal.Core.Features.Kyc;

/// <summary>
/// User-facing texts of the KYC checks, one method per message, so the app can supply its own
/// language. <see cref="KycMessages.English"/> and <see cref="KycMessages.Chinese"/> are built in.
/// </summary>
public interface IKycMessages
{
    string CompanyNameRequired();
    string CompanyNameTooLong(int maxLength);

    string CreditCodeRequired();
    string CreditCodeLength();
    string CreditCodeAlphabet();
    string CreditCodeAuthority();
    string CreditCodeCategory();
    string CreditCodeRegionCode();
    string CreditCodeCheckCharacter();

    string LegalRepresentativeRequired();
    string LegalRepresentativeLength(int minLength, int maxLength);
    string RegisteredAddressRequired();
    string RegisteredAddressTooLong(int maxLength);
    string ContactNameRequired();
    string ContactNameLength(int minLength, int maxLength);
    string ContactMobileRequired();
    string ContactMobileInvalid();
    string LicenceRequired();
    string AuthorisationLetterRequired();

    string RealNameRequired();
    string RealNameLength(int minLength, int maxLength);

    string IdNumberRequired();
    string IdNumberLength();
    string IdNumberFormat();
    string IdNumberRegion();
    string IdNumberBirthDate();
    string IdNumberCheckCharacter();
    string IdFrontRequired();
    string IdBackRequired();

    string DocumentEmpty();
    string DocumentTooLarge(long maxBytes);
    string DocumentUnsupportedType();
}
