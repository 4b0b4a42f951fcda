using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Features.Tenants;

public static class TenantsFeature
{
    public static IServiceCollection AddTenants(this IServiceCollection services)
    {
        services.AddScoped<TenantAccess>();
        services.AddScoped<InviteMember.Handler>();
        services.AddScoped<AcceptInvitation.Handler>();
        services.AddScoped<ChangeMemberRole.Handler>();
        services.AddScoped<RemoveMember.Handler>();
        services.AddScoped<RevokeInvitation.Handler>();
        services.AddScoped<SwitchTenant.Handler>();
        services.AddScoped<MemberQueries>();
        services.AddScoped<TenantAdminQueries>();
        return services;
    }
}
