using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Portal.Core.Features.Catalog;

public static class CatalogFeature
{
    public static IServiceCollection AddCatalog(this IServiceCollection services)
    {
        services.AddSingleton<ChannelSecrets>();
        services.TryAddSingleton<IRelayCache, NoRelayCache>();
        return services;
    }
}
