namespace Portal.Core.Features.Tenants;

/// <summary>What a member may do in a tenant. Order matters only for display.</summary>
public enum TenantRole
{
    Owner,
    Admin,
    Developer,
    Finance,
    Viewer,
}

public static class TenantRoles
{
    /// <summary>Who may invite, change roles and remove members.</summary>
    public static bool CanManageMembers(this TenantRole role) => role is TenantRole.Owner or TenantRole.Admin;
}
