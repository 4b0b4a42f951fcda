using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.FileProviders;
using MudBlazor;
using MudBlazor.Services;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Web.Components;
using Portal.Web.Components.Account;

namespace Portal.Web.Hosting;

/// <summary>The web host: Blazor Server with MudBlazor, Identity cookies, operator policies, zh-CN by default.</summary>
public static class WebSetup
{
    public static readonly CultureInfo[] SupportedCultures = [new("zh-CN"), new("en")];

    public static WebApplicationBuilder AddPortalWeb(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<PortalOptions>().Bind(builder.Configuration.GetSection(PortalOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddLocalization();
        services.AddValidatorsFromPortal();

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices(c =>
        {
            c.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.TopCenter;
            c.SnackbarConfiguration.VisibleStateDuration = 4000;
        });
        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<Components.Pages.ApiKeys.ApiKeyActions>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();

        services.AddAuthentication(o =>
            {
                o.DefaultScheme = IdentityConstants.ApplicationScheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies(cookies => cookies.ApplicationCookie?.Configure(o =>
            {
                o.LoginPath = "/Account/Login";
                o.LogoutPath = "/Account/Logout";
                o.AccessDeniedPath = "/Account/AccessDenied";
                o.Cookie.Name = "portal.auth";
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.HttpOnly = true;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.Events = new CookieAuthenticationEvents
                {
                    OnRedirectToLogin = ctx =>
                    {
                        // A visitor of the home page is shown what the platform is, not a sign-in form.
                        if (ctx.Request.Path == "/" && HttpMethods.IsGet(ctx.Request.Method))
                        {
                            ctx.Response.Redirect("/welcome");
                            return Task.CompletedTask;
                        }

                        return ApiAware(ctx, StatusCodes.Status401Unauthorized);
                    },
                    OnRedirectToAccessDenied = ctx =>
                    {
                        // An operator who has not turned on 2FA yet is sent to do so, then back.
                        if (Policies.IsOperatorWithout2fa(ctx.HttpContext.User))
                        {
                            ctx.Response.Redirect("/Account/Manage/EnableAuthenticator?returnUrl=" + Uri.EscapeDataString(ctx.Request.Path + ctx.Request.QueryString));
                            return Task.CompletedTask;
                        }

                        return ApiAware(ctx, StatusCodes.Status403Forbidden);
                    },
                };
            }));

        // Private unless marked: a page or endpoint without [AllowAnonymous] / AllowAnonymous() needs a signed-in user.
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Metrics, p => p.AddRequirements(new MetricsAccessRequirement()))
            .AddPolicy(Policies.Operator, p => p.RequireRole(OperatorRoles.All).RequireClaim(PortalClaims.TwoFactorEnabled, "true"))
            .AddPolicy(Policies.PlatformAdmin, p => p.RequireRole(OperatorRoles.PlatformAdmin).RequireClaim(PortalClaims.TwoFactorEnabled, "true"))
            .AddPolicy(Policies.PlatformFinance, p => p.RequireRole(OperatorRoles.All).RequireClaim(PortalClaims.TwoFactorEnabled, "true"))
            .AddPolicy(Policies.TenantMember, p => p.RequireAuthenticatedUser().RequireClaim(PortalClaims.TenantId));

        // Keys live in the database so that every replica decrypts every cookie and protected secret, encrypted there.
        builder.AddPortalDataProtection();
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        services.AddAntiforgery(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        services.AddOptions<MetricsOptions>().Bind(builder.Configuration.GetSection(MetricsOptions.Section));
        services.AddSingleton<IAuthorizationHandler, MetricsAccessHandler>();
        builder.AddPortalForwardedHeaders();
        builder.AddPortalSecurityHeaders();
        builder.AddPortalRateLimits();
        return builder;
    }

    public static WebApplication UsePortalWeb(this WebApplication app)
    {
        // Headers and the client's address first, then routing, explicitly: the relay's /v1 endpoints short-circuit at
        // routing, so only what comes before it runs for them.
        app.UsePortalSecurityHeaders();
        app.UsePortalForwardedHeaders();
        app.UsePortalHttps();
        // The portal's own assets (CSS, brand, scripts) are public, before routing and authorization.
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot-assets")),
            RequestPath = "/assets",
            OnPrepareResponse = ctx => ctx.Context.Response.Headers.CacheControl = "public, max-age=3600",
        });
        app.UseRouting();
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        }

        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseApiProblemDetails();
        app.UseRequestLocalization(o =>
        {
            o.DefaultRequestCulture = new RequestCulture("zh-CN");
            o.SupportedCultures = SupportedCultures;
            o.SupportedUICultures = SupportedCultures;
            // The cookie decides; without it the portal speaks Chinese, whatever the browser prefers.
            o.RequestCultureProviders = [new CookieRequestCultureProvider()];
        });
        app.UseMiddleware<CrossSiteRequests>();
        app.UseAuthentication();
        app.UsePortalRateLimits();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.Use(CrossSiteRequests.RefuseInvalidAntiforgery);
        return app;
    }

    public static WebApplication MapPortalPages(this WebApplication app)
    {
        app.MapStaticAssets().AllowAnonymous();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode().Add(endpoint =>
        {
            // The circuit's hub is public like before the fallback policy: pages check [Authorize] inside the circuit
            // (AuthorizeRouteView), and the public pages (sign-in, 404) need no session to connect.
            if (endpoint is RouteEndpointBuilder { RoutePattern.RawText: { } route } && route.StartsWith("/_blazor", StringComparison.Ordinal))
                endpoint.Metadata.Add(new AllowAnonymousAttribute());
        });
        // Browsers, bookmarks and crawlers ask for /favicon.ico whatever the page links.
        var favicon = Path.Combine(AppContext.BaseDirectory, "wwwroot-assets", "brand", "favicon.ico");
        app.MapGet("/favicon.ico", (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "public, max-age=86400";
            return TypedResults.PhysicalFile(favicon, "image/x-icon");
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static Task ApiAware(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api") || ctx.Request.Path.StartsWithSegments("/v1") || ctx.Request.Path.StartsWithSegments("/metrics"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }

        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}
