using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Portal.Core.Features.Catalog;

public static class CatalogFeature
{
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.AddSingleton<ChannelSecrets>();
        services.TryAddSingleton<IRelayCache, NoRelayCache>();
        // The relay's registration (Add, or TryAdd before this) wins over this default.
        services.TryAddSingleton<IChannelHealth, NoChannelHealth>();
        services.AddScoped<CreateModel.Handler>();
        services.AddScoped<UpdateModel.Handler>();
        services.AddScoped<SetModelEnabled.Handler>();
        services.AddScoped<CreateChannel.Handler>();
        services.AddScoped<UpdateChannel.Handler>();
        services.AddScoped<SetChannelEnabled.Handler>();
        services.AddScoped<CatalogQueries>();
        return services;
    }
}
