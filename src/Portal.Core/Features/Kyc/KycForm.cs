namespace Portal.Core.Features.Kyc;

/// <summary>What the tenant fills in on the verification page: one type's fields and the ids of its uploaded documents.</summary>
public sealed record KycForm(
    KycType Type,
    string? CompanyName = null,
    string? CreditCode = null,
    string? LegalRepresentative = null,
    string? RegisteredAddress = null,
    string? ContactName = null,
    string? ContactMobile = null,
    bool ContactIsLegalRepresentative = true,
    Guid? LicenceDocumentId = null,
    Guid? AuthorisationLetterDocumentId = null,
    string? RealName = null,
    string? IdNumber = null,
    Guid? IdFrontDocumentId = null,
    Guid? IdBackDocumentId = null)
{
    public EnterpriseSubmission ToEnterprise() => new(
        CompanyName ?? "", CreditCode ?? "", LegalRepresentative ?? "", RegisteredAddress ?? "", ContactName ?? "", ContactMobile ?? "",
        ContactIsLegalRepresentative, LicenceDocumentId is not null, AuthorisationLetterDocumentId is not null);

    public IndividualSubmission ToIndividual() => new(RealName ?? "", IdNumber ?? "", IdFrontDocumentId is not null, IdBackDocumentId is not null);

    /// <summary>The documents this form uses, with the kind each must be.</summary>
    public IEnumerable<(Guid Id, KycDocumentKind Kind)> Documents()
    {
        if (Type == KycType.Enterprise)
        {
            if (LicenceDocumentId is { } licence) yield return (licence, KycDocumentKind.BusinessLicence);
            if (!ContactIsLegalRepresentative && AuthorisationLetterDocumentId is { } letter) yield return (letter, KycDocumentKind.AuthorisationLetter);
        }
        else
        {
            if (IdFrontDocumentId is { } front) yield return (front, KycDocumentKind.IdCardFront);
            if (IdBackDocumentId is { } back) yield return (back, KycDocumentKind.IdCardBack);
        }
    }

    /// <summary>The form of an earlier submission, to edit and submit again.</summary>
    public static KycForm From(KycSubmission s) => new(
        s.Type, s.CompanyName, s.CreditCode, s.LegalRepresentative, s.RegisteredAddress, s.ContactName, s.ContactMobile,
        s.ContactIsLegalRepresentative, s.LicenceDocumentId, s.AuthorisationLetterDocumentId, s.RealName, s.IdNumber,
        s.IdFrontDocumentId, s.IdBackDocumentId);

    /// <summary>Copies the form onto a draft, trimmed and normalised; the other type's fields are cleared.</summary>
    internal void ApplyTo(KycSubmission draft, bool validated)
    {
        string? Clean(string? value, int max) => KycForm.Clean(value, validated ? int.MaxValue : max);
        var enterprise = Type == KycType.Enterprise;
        draft.Type = Type;
        draft.CompanyName = enterprise ? Clean(CompanyName, KycLimits.CompanyNameMaxLength) : null;
        draft.CreditCode = enterprise ? Clean(UnifiedSocialCreditCode.Normalize(CreditCode), UnifiedSocialCreditCode.Length) : null;
        draft.LegalRepresentative = enterprise ? Clean(LegalRepresentative, KycLimits.PersonNameMaxLength) : null;
        draft.RegisteredAddress = enterprise ? Clean(RegisteredAddress, KycLimits.RegisteredAddressMaxLength) : null;
        draft.ContactName = enterprise ? Clean(ContactName, KycLimits.PersonNameMaxLength) : null;
        draft.ContactMobile = enterprise ? Clean(ChineseMobile.Normalize(ContactMobile), 20) : null;
        draft.ContactIsLegalRepresentative = enterprise && ContactIsLegalRepresentative;
        draft.LicenceDocumentId = enterprise ? LicenceDocumentId : null;
        draft.AuthorisationLetterDocumentId = enterprise && !ContactIsLegalRepresentative ? AuthorisationLetterDocumentId : null;
        draft.RealName = enterprise ? null : Clean(RealName, KycLimits.PersonNameMaxLength);
        draft.IdNumber = enterprise ? null : Clean(ResidentIdNumber.Normalize(IdNumber), ResidentIdNumber.Length);
        draft.IdFrontDocumentId = enterprise ? null : IdFrontDocumentId;
        draft.IdBackDocumentId = enterprise ? null : IdBackDocumentId;
    }

    // A draft is not validated, so it is cut to the column sizes (a submitted form is validated first and never cut).
    private static string? Clean(string? value, int max)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var trimmed = value.Trim();
        return trimmed.Length > max ? trimmed[..max] : trimmed;
    }
}
