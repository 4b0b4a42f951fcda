using FluentValidation;

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
}

public static class ValidationServiceCollectionExtensions
{
    /// <summary>Registers every FluentValidation validator in Portal.Core (nested <c>Validator</c> classes of use cases).</summary>
    public static Microsoft.Extensions.DependencyInjection.IServiceCollection AddValidatorsFromPortal(this Microsoft.Extensions.DependencyInjection.IServiceCollection services) =>
        services.AddValidatorsFromAssemblyContaining<Localization.SharedResource>(Microsoft.Extensions.DependencyInjection.ServiceLifetime.Scoped, includeInternalTypes: true);
}
