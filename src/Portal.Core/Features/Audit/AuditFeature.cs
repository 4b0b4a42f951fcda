using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Features.Audit;

public static class AuditFeature
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddScoped<AuditLog>();
        services.AddScoped<AuditQueries>();
        return services;
    }
}
