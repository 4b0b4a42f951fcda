namespace Portal.Core.Features.Accounts;

/// <summary>Bound from <c>Bootstrap</c>: the first PlatformAdmin.</summary>
public sealed class BootstrapOptions
{
    public const string Section = "Bootstrap";

    public string? AdminEmail { get; set; }

    public string? AdminPassword { get; set; }
}
