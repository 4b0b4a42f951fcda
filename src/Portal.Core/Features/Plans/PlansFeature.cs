using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Features.Plans;

public static class PlansFeature
{
    public static IServiceCollection AddPlans(this IServiceCollection services)
    {
        services.AddScoped<PlanQueries>();
        services.AddSingleton<Portal.Core.Features.Invoices.IExpiredPlanCreditSource, PlanExpiredCreditSource>();
        services.AddScoped<SavePlan.Handler>();
        services.AddScoped<ArchivePlan.Handler>();
        services.AddScoped<MovePlan.Handler>();
        services.AddScoped<PurchasePlan.Handler>();
        services.AddScoped<SetAutoRenew.Handler>();
        services.AddScoped<PlanRenewals>();
        services.AddScoped<PlanRenewalJob>();
        services.AddScoped<PlanReminderJob>();
        return services;
    }
}
