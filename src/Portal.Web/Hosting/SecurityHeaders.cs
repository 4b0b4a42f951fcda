using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.Extensions.Options;
using Portal.Core.Common;

namespace Portal.Web.Hosting;

/// <summary>Bound from <c>Security</c>: transport settings for serving over https.</summary>
public sealed class SecurityOptions
{
    public const string Section = "Security";

    /// <summary>
    /// Redirect plain-http requests to https. Unset: on when <c>Portal:PublicBaseUrl</c> is https. Behind a proxy that
    /// terminates TLS, list it in <c>ForwardedHeaders</c> first, or every request looks like http and loops.
    /// </summary>
    public bool? HttpsRedirection { get; set; }

    /// <summary>How long browsers remember to use https only (<c>Strict-Transport-Security</c>, sent on https responses).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "730.00:00:00")]
    public TimeSpan HstsMaxAge { get; set; } = TimeSpan.FromDays(365);
}

/// <summary>
/// Headers on every response, pages, JSON, static files and the relay alike: a Content Security Policy without inline
/// script (Blazor Server and MudBlazor need only their own files, inline styles and a same-origin WebSocket),
/// <c>nosniff</c>, a referrer policy and a permissions policy; HSTS and the redirection to https when served over https.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>
    /// MudBlazor sets element styles inline, hence <c>'unsafe-inline'</c> for styles only; scripts come from the
    /// portal's own files. Data URIs cover generated QR codes. <c>form-action</c> is left open because the Alipay
    /// cashier hand-off posts a form to Alipay's gateway.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; " +
        "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'";

    public const string PermissionsPolicy = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()";

    public const string ReferrerPolicy = "strict-origin-when-cross-origin";

    public static WebApplicationBuilder AddPortalSecurityHeaders(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SecurityOptions>().Bind(builder.Configuration.GetSection(SecurityOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<HstsOptions>().Configure<IOptions<SecurityOptions>>((hsts, security) => hsts.MaxAge = security.Value.HstsMaxAge);
        builder.Services.AddOptions<HttpsRedirectionOptions>().Configure<IOptions<PortalOptions>>((redirect, portal) =>
        {
            var publicUrl = new Uri(portal.Value.PublicBaseUrl);
            if (publicUrl.Scheme == Uri.UriSchemeHttps) redirect.HttpsPort = publicUrl.Port;
        });
        return builder;
    }

    /// <summary>First in the pipeline, so that responses the relay or the static files short-circuit carry the headers too.</summary>
    public static WebApplication UsePortalSecurityHeaders(this WebApplication app)
    {
        app.Use((http, next) =>
        {
            var response = http.Response;
            response.OnStarting(static state =>
            {
                var (request, headers) = ((HttpRequest, IHeaderDictionary))state;
                headers.XContentTypeOptions = "nosniff";
                // The relay's answers are JSON or event streams for API clients: nosniff is what matters there.
                if (request.Path.StartsWithSegments("/v1")) return Task.CompletedTask;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XFrameOptions = "SAMEORIGIN";
                headers["Referrer-Policy"] = ReferrerPolicy;
                headers["Permissions-Policy"] = PermissionsPolicy;
                return Task.CompletedTask;
            }, (http.Request, response.Headers));
            return next(http);
        });
        return app;
    }

    /// <summary>HSTS on https responses (not for localhost) and, when configured or the public URL is https, redirection to https.</summary>
    public static WebApplication UsePortalHttps(this WebApplication app)
    {
        var security = app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value;
        var publicIsHttps = new Uri(app.Services.GetRequiredService<IOptions<PortalOptions>>().Value.PublicBaseUrl).Scheme == Uri.UriSchemeHttps;
        app.UseHsts();
        if (security.HttpsRedirection ?? publicIsHttps) app.UseHttpsRedirection();
        return app;
    }
}
