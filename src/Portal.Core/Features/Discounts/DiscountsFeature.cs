using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Features.Discounts;

/// <summary>Volume discounts: spend tiers, the live progress hint, and month-end rebates through the ledger.</summary>
public static class DiscountsFeature
{
    public static IServiceCollection AddDiscounts(this IServiceCollection services)
    {
        services.AddScoped<VolumeRebates>();
        services.AddScoped<VolumeRebateJob>();
        services.AddScoped<VolumeDiscountQueries>();
        services.AddScoped<SaveVolumeDiscounts.Handler>();
        return services;
    }
}
