namespace Portal.Core.Features.Accounts;

/// <summary>Platform roles. Operator pages also require two-factor sign-in.</summary>
public static class OperatorRoles
{
    public const string PlatformAdmin = "PlatformAdmin";
    public const string PlatformFinance = "PlatformFinance";

    public static readonly string[] All = [PlatformAdmin, PlatformFinance];
}

/// <summary>Claim types the portal adds to the sign-in cookie.</summary>
public static class PortalClaims
{
    public const string TenantId = "portal:tenant";
    public const string TwoFactorEnabled = "portal:2fa";
    public const string DisplayName = "portal:name";
}
