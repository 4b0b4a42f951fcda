using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Features.Usage;

namespace Portal.Core.Features.Status;

/// <summary>Availability measured from relayed traffic, incidents, and the public status report.</summary>
public static class StatusFeature
{
    public static IServiceCollection AddStatus(this IServiceCollection services)
    {
        services.AddSingleton<IUsageBatchObserver, AvailabilityObserver>();
        services.AddScoped<StatusQueries>();
        services.AddScoped<PostIncident.Handler>();
        return services;
    }
}
