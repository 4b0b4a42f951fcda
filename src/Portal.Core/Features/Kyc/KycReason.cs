using FluentValidation;
using Microsoft.Extensions.Localization;
using Portal.Core.Localization;

namespace Portal.Core.Features.Kyc;

/// <summary>The reason an operator gives for a rejection or revocation: required, at most <see cref="KycLimits.ReasonMaxLength"/> characters.</summary>
internal static class KycReason
{
    public static IRuleBuilderOptions<T, string> IsKycReason<T>(this IRuleBuilderInitial<T, string> rule, IStringLocalizer<SharedResource> l) =>
        rule.Cascade(CascadeMode.Stop)
            .Must(r => !string.IsNullOrWhiteSpace(r)).WithMessage(l["Give a reason: the tenant will read it."])
            .Must(r => r.Trim().Length <= KycLimits.ReasonMaxLength).WithMessage(string.Format(l["The reason must be at most {0} characters."], KycLimits.ReasonMaxLength));
}
