using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Http;
using Portal.Core.Data;

namespace Portal.Core.Features.Accounts;

/// <summary>
/// Who is acting, for one request, Blazor circuit or job. Read from the sign-in cookie's claims;
/// jobs and tests set it with <see cref="CurrentUser.Use"/>. Membership and role are always re-read from the
/// database by the use cases, so a removed member loses access at once.
/// </summary>
public interface ICurrentUser : ITenantContext
{
    Guid? UserId { get; }

    string Name { get; }

    string? IpAddress { get; }

    bool IsInRole(string role);

    ClaimsPrincipal Principal { get; }
}

/// <inheritdoc />
public sealed class CurrentUser(IHttpContextAccessor httpContextAccessor, IServiceProvider services) : ICurrentUser
{
    private ClaimsPrincipal? _override;
    private string? _overrideIp;

    public ClaimsPrincipal Principal => _override ?? Resolve();

    public Guid? UserId => Guid.TryParse(Principal.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public Guid? TenantId => Guid.TryParse(Principal.FindFirstValue(PortalClaims.TenantId), out var id) ? id : null;

    public string Name => Principal.FindFirstValue(ClaimTypes.Email) ?? Principal.Identity?.Name ?? "system";

    public string? IpAddress => _overrideIp ?? httpContextAccessor.HttpContext?.Connection.RemoteIpAddress?.ToString();

    public bool IsInRole(string role) => Principal.IsInRole(role);

    /// <summary>Act as <paramref name="principal"/> from now on in this scope (jobs, tests, background work).</summary>
    public void Use(ClaimsPrincipal principal, string? ipAddress = null)
    {
        _override = principal;
        _overrideIp = ipAddress;
    }

    /// <summary>A principal for a user acting in a tenant, as the sign-in cookie would carry it.</summary>
    public static ClaimsPrincipal For(Guid userId, string email, Guid? tenantId, params string[] roles)
    {
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, userId.ToString()), new(ClaimTypes.Email, email), new(ClaimTypes.Name, email) };
        if (tenantId is not null) claims.Add(new Claim(PortalClaims.TenantId, tenantId.Value.ToString()));
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, "portal"));
    }

    private ClaimsPrincipal Resolve()
    {
        // In a Blazor circuit the HttpContext is gone (or stale); the authentication state is authoritative there.
        if (services.GetService(typeof(AuthenticationStateProvider)) is AuthenticationStateProvider provider)
        {
            try
            {
                var task = provider.GetAuthenticationStateAsync();
                if (task.IsCompletedSuccessfully) return task.Result.User;
            }
            catch (InvalidOperationException)
            {
                // Not inside a Razor component render: fall through to the HTTP request.
            }
        }

        return httpContextAccessor.HttpContext?.User ?? new ClaimsPrincipal(new ClaimsIdentity());
    }
}
