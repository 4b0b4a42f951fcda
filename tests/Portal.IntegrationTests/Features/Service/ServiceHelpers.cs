using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Features.Accounts;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Service;

public static class ServiceHelpers
{
    /// <summary>A scope acting as <paramref name="who"/> in its current tenant, for calling use cases directly.</summary>
    public static async Task<AsyncServiceScope> MemberScopeAsync(this PortalFactory factory, PortalClient who)
    {
        var scope = factory.Scope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(who.Email);
        var tenantId = await factory.TenantOfAsync(who.Email);
        scope.ServiceProvider.GetRequiredService<CurrentUser>().Use(CurrentUser.For(user!.Id, user.Email!, tenantId));
        return scope;
    }
}
