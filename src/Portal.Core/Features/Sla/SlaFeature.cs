using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Features.Sla;

/// <summary>SLA terms per plan or pay-as-you-go, and the monthly credits for missing them.</summary>
public static class SlaFeature
{
    public static IServiceCollection AddSla(this IServiceCollection services)
    {
        services.AddScoped<SlaCredits>();
        services.AddScoped<SlaQueries>();
        services.AddScoped<SlaCreditJob>();
        services.AddScoped<SaveSlaPolicy.Handler>();
        services.AddScoped<HoldSlaCredit.Handler>();
        return services;
    }
}
