using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Common;

/// <summary>Bound from <c>Portal</c>.</summary>
public sealed class PortalOptions
{
    public const string Section = "Portal";

    /// <summary>Absolute URL people and payment gateways reach the portal at; used in emails and callbacks.</summary>
    [Required, Url]
    public string PublicBaseUrl { get; set; } = "http://localhost:5080";

    /// <summary>How long an invitation link stays valid.</summary>
    [Range(typeof(TimeSpan), "00:10:00", "30.00:00:00")]
    public TimeSpan InvitationLifetime { get; set; } = TimeSpan.FromDays(7);

    public string Link(string relative) => PublicBaseUrl.TrimEnd('/') + "/" + relative.TrimStart('/');
}
