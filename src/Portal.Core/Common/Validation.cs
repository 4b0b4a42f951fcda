using FluentValidation;
using Microsoft.Extensions.Localization;
using Portal.Core.Localization;

namespace Portal.Core.Common;

public static class ValidationExtensions
{
    /// <summary>Runs a validator and turns its failures into a <see cref="ValidationError"/> keyed by property.</summary>
    public static async Task<ValidationError?> CheckAsync<T>(this IValidator<T> validator, T instance, CancellationToken cancellationToken)
    {
        var result = await validator.ValidateAsync(instance, cancellationToken);
        if (result.IsValid) return null;
        return new ValidationError(result.Errors
            .GroupBy(e => e.PropertyName)
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray()));
    }

    /// <summary>The reason finance gives for rejecting, voiding or refusing something: required, at most 500 characters.</summary>
    public static IRuleBuilderOptions<T, string> IsDecisionReason<T>(this IRuleBuilderInitial<T, string> rule, IStringLocalizer<SharedResource> l) =>
        rule.Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage(l["Enter a reason."])
            .MaximumLength(500).WithMessage(l["The reason is too long."]);
}

public static class ValidationServiceCollectionExtensions
{
    /// <summary>Registers every FluentValidation validator in Portal.Core (nested <c>Validator</c> classes of use cases).</summary>
    public static Microsoft.Extensions.DependencyInjection.IServiceCollection AddValidatorsFromPortal(this Microsoft.Extensions.DependencyInjection.IServiceCollection services) =>
        services.AddValidatorsFromAssemblyContaining<Localization.SharedResource>(Microsoft.Extensions.DependencyInjection.ServiceLifetime.Scoped, includeInternalTypes: true);
}
