using Microsoft.AspNetCore.Localization;
using Portal.Web.Hosting;

namespace Portal.Web.Endpoints;

public static class CultureEndpoints
{
    /// <summary><c>GET /culture/set?culture=en&amp;redirectUri=/</c>: remembers the UI language in a cookie for a year.</summary>
    public static WebApplication MapCulture(this WebApplication app)
    {
        app.MapGet("/culture/set", (HttpContext http, string? culture, string? redirectUri) =>
        {
            var chosen = WebSetup.SupportedCultures.FirstOrDefault(c => string.Equals(c.Name, culture, StringComparison.OrdinalIgnoreCase))?.Name ?? "zh-CN";
            http.Response.Cookies.Append(
                CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(chosen)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = false, Secure = http.Request.IsHttps });
            return Results.LocalRedirect(IsLocal(redirectUri) ? redirectUri! : "/");
        }).AllowAnonymous();
        return app;
    }

    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);
}
