using FluentValidation;

namespace Portal.Core.Features.Kyc;

/// <summary>
/// Validates an <see cref="EnterpriseSubmission"/>. Every failure carries a code from
/// <see cref="KycErrorCodes"/>; messages come from <c>messages</c> (English by default).
/// Each property reports only its first problem.
/// </summary>
public sealed class EnterpriseSubmissionValidator : AbstractValidator<EnterpriseSubmission>
{
    public EnterpriseSubmissionValidator(IKycMessages? messages = null)
    {
        var text = messages ?? KycMessages.English;
        RuleLevelCascadeMode = CascadeMode.Stop;

        RuleFor(x => x.CompanyName)
            .NotEmpty().WithErrorCode(KycErrorCodes.CompanyNameRequired).WithMessage(_ => text.CompanyNameRequired())
            .Must(name => KycRules.TextLength(name) <= KycLimits.CompanyNameMaxLength)
            .WithErrorCode(KycErrorCodes.CompanyNameTooLong)
            .WithMessage(_ => text.CompanyNameTooLong(KycLimits.CompanyNameMaxLength));

        RuleFor(x => x.CreditCode)
            .Custom((code, context) => context.AddFailure(UnifiedSocialCreditCode.Validate(code, text), code));

        RuleFor(x => x.LegalRepresentative)
            .NotEmpty().WithErrorCode(KycErrorCodes.LegalRepresentativeRequired).WithMessage(_ => text.LegalRepresentativeRequired())
            .HasLengthBetween(KycLimits.PersonNameMinLength, KycLimits.PersonNameMaxLength)
            .WithErrorCode(KycErrorCodes.LegalRepresentativeLength)
            .WithMessage(_ => text.LegalRepresentativeLength(KycLimits.PersonNameMinLength, KycLimits.PersonNameMaxLength));

        RuleFor(x => x.RegisteredAddress)
            .NotEmpty().WithErrorCode(KycErrorCodes.RegisteredAddressRequired).WithMessage(_ => text.RegisteredAddressRequired())
            .Must(address => KycRules.TextLength(address) <= KycLimits.RegisteredAddressMaxLength)
            .WithErrorCode(KycErrorCodes.RegisteredAddressTooLong)
            .WithMessage(_ => text.RegisteredAddressTooLong(KycLimits.RegisteredAddressMaxLength));

        RuleFor(x => x.ContactName)
            .NotEmpty().WithErrorCode(KycErrorCodes.ContactNameRequired).WithMessage(_ => text.ContactNameRequired())
            .HasLengthBetween(KycLimits.PersonNameMinLength, KycLimits.PersonNameMaxLength)
            .WithErrorCode(KycErrorCodes.ContactNameLength)
            .WithMessage(_ => text.ContactNameLength(KycLimits.PersonNameMinLength, KycLimits.PersonNameMaxLength));

        RuleFor(x => x.ContactMobile)
            .NotEmpty().WithErrorCode(KycErrorCodes.ContactMobileRequired).WithMessage(_ => text.ContactMobileRequired())
            .Must(ChineseMobile.IsValid).WithErrorCode(KycErrorCodes.ContactMobileInvalid).WithMessage(_ => text.ContactMobileInvalid());

        RuleFor(x => x.HasLicence)
            .Equal(true).WithErrorCode(KycErrorCodes.LicenceRequired).WithMessage(_ => text.LicenceRequired());

        // Someone acting for the company needs the legal representative's written authority.
        RuleFor(x => x.HasAuthorisationLetter)
            .Equal(true).WithErrorCode(KycErrorCodes.AuthorisationLetterRequired).WithMessage(_ => text.AuthorisationLetterRequired())
            .When(x => !x.ContactIsLegalRepresentative);
    }
}
