using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Portal.Core.Features.Accounts;

/// <summary>Puts the current tenant, the display name and whether 2FA is on into the sign-in cookie.</summary>
public sealed class PortalClaimsPrincipalFactory(UserManager<PortalUser> userManager, RoleManager<PortalRole> roleManager, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<PortalUser, PortalRole>(userManager, roleManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(PortalUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(PortalClaims.DisplayName, user.DisplayName));
        if (user.CurrentTenantId is { } tenantId) identity.AddClaim(new Claim(PortalClaims.TenantId, tenantId.ToString()));
        if (user.TwoFactorEnabled) identity.AddClaim(new Claim(PortalClaims.TwoFactorEnabled, "true"));
        return identity;
    }
}
