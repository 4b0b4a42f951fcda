using Microsoft.AspNetCore.Identity;

namespace Portal.Core.Features.Accounts;

/// <summary>A person who signs in. Belongs to tenants through memberships; operators also hold platform roles.</summary>
public sealed class PortalUser : IdentityUser<Guid>
{
    [PersonalData]
    public string DisplayName { get; set; } = "";

    /// <summary>The tenant the user last switched to; its id is put in the sign-in cookie.</summary>
    public Guid? CurrentTenantId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The UI language the user chose ("zh-CN" or "en"), used for emails.</summary>
    public string Culture { get; set; } = "zh-CN";
}

/// <summary>A platform (operator) role. Tenant roles live on memberships, not here.</summary>
public sealed class PortalRole : IdentityRole<Guid>
{
    public PortalRole()
    {
    }

    public PortalRole(string name) : base(name)
    {
    }
}
