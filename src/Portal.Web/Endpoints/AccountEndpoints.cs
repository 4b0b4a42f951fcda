using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Tenants;

namespace Portal.Web.Endpoints;

/// <summary>Form posts that change the sign-in cookie, which interactive pages cannot do themselves.</summary>
public static class AccountEndpoints
{
    public static WebApplication MapAccountEndpoints(this WebApplication app)
    {
        app.MapPost("/Account/Logout", async (SignInManager<PortalUser> signInManager, [FromForm] string? returnUrl) =>
        {
            await signInManager.SignOutAsync();
            return TypedResults.LocalRedirect(CultureEndpoints.IsLocal(returnUrl) ? returnUrl! : "/Account/Login");
        });

        app.MapPost("/Account/SwitchTenant", async (
            HttpContext http,
            SwitchTenant.Handler handler,
            UserManager<PortalUser> userManager,
            SignInManager<PortalUser> signInManager,
            [FromForm] Guid tenantId,
            [FromForm] string? returnUrl) =>
        {
            var result = await handler.HandleAsync(new SwitchTenant.Command(tenantId), http.RequestAborted);
            if (!result.IsSuccess) return ResultHttp.Problem(result.Error!);
            var user = await userManager.GetUserAsync(http.User);
            if (user is null) return Results.Unauthorized();
            await signInManager.RefreshSignInAsync(user);
            return Results.LocalRedirect(CultureEndpoints.IsLocal(returnUrl) ? returnUrl! : "/");
        }).RequireAuthorization();

        // After an in-circuit change (e.g. accepting an invitation) the cookie is re-issued with fresh claims.
        app.MapGet("/Account/RefreshSignIn", async (HttpContext http, UserManager<PortalUser> userManager, SignInManager<PortalUser> signInManager, string? returnUrl) =>
        {
            var user = await userManager.GetUserAsync(http.User);
            if (user is null) return Results.LocalRedirect("/Account/Login");
            await signInManager.RefreshSignInAsync(user);
            return Results.LocalRedirect(CultureEndpoints.IsLocal(returnUrl) ? returnUrl! : "/");
        }).RequireAuthorization();
        return app;
    }
}
