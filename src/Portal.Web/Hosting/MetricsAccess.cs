using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Portal.Core.Features.Accounts;

namespace Portal.Web.Hosting;

/// <summary>Bound from <c>Metrics</c>.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>
    /// The bearer token a Prometheus scraper sends (<c>Authorization: Bearer …</c>, <c>bearer_token_file</c> in the
    /// scrape config). Empty: only a signed-in PlatformAdmin (with 2FA) reads <c>/metrics</c>.
    /// </summary>
    public string? ScrapeToken { get; set; }
}

/// <summary><c>/metrics</c> answers a PlatformAdmin session or the configured scrape token; anyone else gets 401.</summary>
public sealed class MetricsAccessRequirement : IAuthorizationRequirement;

internal sealed class MetricsAccessHandler(IOptions<MetricsOptions> options) : AuthorizationHandler<MetricsAccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, MetricsAccessRequirement requirement)
    {
        var user = context.User;
        if (user.IsInRole(OperatorRoles.PlatformAdmin) && user.HasClaim(PortalClaims.TwoFactorEnabled, "true"))
            context.Succeed(requirement);
        else if (context.Resource is HttpContext http && HasScrapeToken(http.Request, options.Value.ScrapeToken))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }

    private static bool HasScrapeToken(HttpRequest request, string? expected)
    {
        if (string.IsNullOrEmpty(expected)) return false;
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        // Compared as hashes so that the time taken says nothing about the token's length or prefix.
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(given, SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }
}
