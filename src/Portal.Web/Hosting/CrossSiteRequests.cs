using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Portal.Core.Common;

namespace Portal.Web.Hosting;

/// <summary>Endpoint metadata: state-changing requests from other sites are expected here (payment gateways' server-to-server calls).</summary>
public sealed class AllowCrossSiteAttribute : Attribute;

/// <summary>
/// CSRF protection for everything the session cookie authenticates, forms and JSON alike: a POST, PUT, PATCH or DELETE
/// that a browser marks as coming from another site (<c>Sec-Fetch-Site</c> other than <c>same-origin</c> / <c>none</c>,
/// or, from browsers without Fetch Metadata, an <c>Origin</c> that is not the portal's) is refused with 403 before it
/// reaches an endpoint, body-less ones (disable, revoke, cancel) included. Blazor forms additionally carry an
/// antiforgery token, and a form without a valid one is 400 (<see cref="RefuseInvalidAntiforgery"/>).
/// </summary>
/// <remarks>
/// Exempt: requests with an <c>Authorization: Bearer</c> header (a browser cannot attach one cross-site without a CORS
/// preflight, which the portal never grants, so such a request is not riding on the cookie), endpoints marked
/// <see cref="AllowCrossSiteAttribute"/> (Alipay's notification, the offline Alipay simulator) and the relay's <c>/v1</c>,
/// which short-circuits at routing and authenticates with API keys only. A request with neither header is not a
/// browser's cross-site request (every current browser sends one of them on such a POST) and is let through, so
/// scripts and tests using the cookie keep working (README Decisions).
/// </remarks>
public sealed class CrossSiteRequests(RequestDelegate next, IOptions<PortalOptions> portal)
{
    private readonly string _publicOrigin = new Uri(portal.Value.PublicBaseUrl).GetLeftPart(UriPartial.Authority);

    public Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method))
            return next(http);
        if (http.GetEndpoint()?.Metadata.GetMetadata<AllowCrossSiteAttribute>() is not null) return next(http);
        if (request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return next(http);
        if (!IsCrossSite(request)) return next(http);
        var l = Refusals.Localizer(http);
        return Refusals.WriteAsync(http, StatusCodes.Status403Forbidden, l["Request from another site refused"],
            l["This request came from another website, so the portal did not carry it out. Open the portal itself and try again."]);
    }

    private bool IsCrossSite(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"];
        if (!StringValues.IsNullOrEmpty(site))
            return !string.Equals(site, "same-origin", StringComparison.OrdinalIgnoreCase) && !string.Equals(site, "none", StringComparison.OrdinalIgnoreCase);
        var origin = request.Headers.Origin.ToString();
        if (string.IsNullOrEmpty(origin)) return false;
        return !string.Equals(origin, $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(origin, _publicOrigin, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// A form posted without a valid antiforgery token (an expired page, a forged form) answers 400 with a readable page
    /// (ProblemDetails on the API) instead of reaching the endpoint, which would fail with 500.
    /// </summary>
    public static Task RefuseInvalidAntiforgery(HttpContext http, Func<Task> next)
    {
        if (http.Features.Get<IAntiforgeryValidationFeature>() is not { IsValid: false }) return next();
        var l = Refusals.Localizer(http);
        return Refusals.WriteAsync(http, StatusCodes.Status400BadRequest, l["The form has expired"],
            l["The form was missing its security token or the token had expired. Reload the page and submit the form again."]);
    }
}
