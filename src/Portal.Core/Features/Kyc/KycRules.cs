using FluentValidation;
using FluentValidation.Results;
using Portal.Core.Common;

namespace Portal.Core.Features.Kyc;

/// <summary>Rule pieces shared by the KYC validators.</summary>
internal static class KycRules
{
    /// <summary>Length in Unicode scalar values of the trimmed text, so 𠀀 counts as one character.</summary>
    public static int TextLength(string? value) =>
        value is null ? 0 : value.Trim().EnumerateRunes().Count();

    public static IRuleBuilderOptions<T, string> HasLengthBetween<T>(
        this IRuleBuilder<T, string> rule, int minLength, int maxLength) =>
        rule.Must(value => TextLength(value) is var length && length >= minLength && length <= maxLength);

    /// <summary>Adds <paramref name="error"/>, if any, as a failure of the property being validated.</summary>
    public static void AddFailure<T>(this ValidationContext<T> context, Error? error, object? attemptedValue)
    {
        if (error is null)
        {
            return;
        }

        context.AddFailure(new ValidationFailure(context.PropertyPath, error.Message, attemptedValue)
        {
            ErrorCode = error.Code,
        });
    }
}
