using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Features.DataProtection;

public static class DataProtectionFeature
{
    public static IServiceCollection AddDataProtectionPolicies(this IServiceCollection services)
    {
        services.AddScoped<SaveDataPolicy.Handler>();
        services.AddScoped<RemoveDataPolicyOverride.Handler>();
        services.AddScoped<DataPolicyQueries>();
        return services;
    }
}
