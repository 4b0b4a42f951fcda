namespace Portal.Core.Features.Kyc;

/// <summary>
/// An enterprise's real-name verification request. The Has... flags say whether the matching
/// document was uploaded (and accepted by <see cref="DocumentSniffer"/>).
/// </summary>
public sealed record EnterpriseSubmission(
    string CompanyName,
    string CreditCode,
    string LegalRepresentative,
    string RegisteredAddress,
    string ContactName,
    string ContactMobile,
    bool ContactIsLegalRepresentative,
    bool HasLicence,
    bool HasAuthorisationLetter);
