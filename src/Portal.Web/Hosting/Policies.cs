using System.Security.Claims;
using Portal.Core.Features.Accounts;

namespace Portal.Web.Hosting;

/// <summary>Authorisation policy names. Operator policies require a platform role and 2FA turned on.</summary>
public static class Policies
{
    public const string Operator = "Operator";
    public const string PlatformAdmin = "PlatformAdmin";
    public const string PlatformFinance = "PlatformFinance";
    public const string TenantMember = "TenantMember";
    public const string Metrics = "Metrics";

    public static bool IsOperator(ClaimsPrincipal user) => OperatorRoles.All.Any(user.IsInRole);

    public static bool IsOperatorWithout2fa(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && IsOperator(user) && user.FindFirst(PortalClaims.TwoFactorEnabled) is null;
}
