using FluentValidation;

namespace Portal.Core.Features.Kyc;

/// <summary>
/// Validates an <see cref="IndividualSubmission"/>. The ID number's date of birth is compared
/// with today's date in China, read from <c>timeProvider</c> at validation time.
/// Every failure carries a code from <see cref="KycErrorCodes"/>; messages come from
/// <c>messages</c> (English by default). Each property reports only its first problem.
/// </summary>
public sealed class IndividualSubmissionValidator : AbstractValidator<IndividualSubmission>
{
    public IndividualSubmissionValidator(TimeProvider timeProvider, IKycMessages? messages = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        var text = messages ?? KycMessages.English;
        RuleLevelCascadeMode = CascadeMode.Stop;

        RuleFor(x => x.RealName)
            .NotEmpty().WithErrorCode(KycErrorCodes.RealNameRequired).WithMessage(_ => text.RealNameRequired())
            .HasLengthBetween(KycLimits.PersonNameMinLength, KycLimits.PersonNameMaxLength)
            .WithErrorCode(KycErrorCodes.RealNameLength)
            .WithMessage(_ => text.RealNameLength(KycLimits.PersonNameMinLength, KycLimits.PersonNameMaxLength));

        RuleFor(x => x.IdNumber)
            .Custom((number, context) =>
                context.AddFailure(ResidentIdNumber.Validate(number, Common.ChinaTime.Today(timeProvider), text), number));

        RuleFor(x => x.HasFront)
            .Equal(true).WithErrorCode(KycErrorCodes.IdFrontRequired).WithMessage(_ => text.IdFrontRequired());

        RuleFor(x => x.HasBack)
            .Equal(true).WithErrorCode(KycErrorCodes.IdBackRequired).WithMessage(_ => text.IdBackRequired());
    }
}
