using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Features.ApiKeys;

/// <summary>Key management for tenants. Needs an <see cref="IApiKeyRules"/>: the relay's (<c>AddRelayApiKeyRules</c>).</summary>
public static class ApiKeysFeature
{
    public static IServiceCollection AddApiKeys(this IServiceCollection services)
    {
        services.AddScoped<ApiKeyStatusChange>();
        services.AddScoped<CreateApiKey.Handler>();
        services.AddScoped<UpdateApiKey.Handler>();
        services.AddScoped<DisableApiKey.Handler>();
        services.AddScoped<EnableApiKey.Handler>();
        services.AddScoped<RevokeApiKey.Handler>();
        services.AddScoped<ApiKeyQueries>();
        return services;
    }
}
