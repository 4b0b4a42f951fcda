using System.Net;
using System.Text;
using Microsoft.Extensions.Localization;
using Portal.Core.Localization;

namespace Portal.Web.Hosting;

/// <summary>
/// The answer to a request the portal refuses before it reaches an endpoint (a missing antiforgery token, a cross-site
/// request, a throttle, an oversized body): ProblemDetails for the JSON API, a small readable page for a browser form.
/// Never an empty body, never a 5xx.
/// </summary>
public static class Refusals
{
    /// <summary>The localizer of the request's culture, for the caller's title and detail.</summary>
    public static IStringLocalizer<SharedResource> Localizer(HttpContext http) => http.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>();

    /// <summary>Writes the refusal; <paramref name="title"/> and <paramref name="detail"/> are already localized.</summary>
    public static async Task WriteAsync(HttpContext http, int status, string title, string detail)
    {
        var l = Localizer(http);
        var response = http.Response;
        response.StatusCode = status;
        if (WantsJson(http.Request))
        {
            await TypedResults.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(http);
            return;
        }

        response.ContentType = "text/html; charset=utf-8";
        var page = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"").Append(WebUtility.HtmlEncode(Thread.CurrentThread.CurrentUICulture.Name)).Append("\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\"><title>").Append(WebUtility.HtmlEncode(title)).Append(" · Portal</title>")
            .Append("<link rel=\"stylesheet\" href=\"/assets/css/portal.css\"></head><body><main class=\"refusal\" data-status=\"").Append(status).Append("\">")
            .Append("<h1>").Append(WebUtility.HtmlEncode(title)).Append("</h1><p>").Append(WebUtility.HtmlEncode(detail)).Append("</p>")
            .Append("<p><a href=\"/\">").Append(WebUtility.HtmlEncode(l["Back to the overview"])).Append("</a></p></main></body></html>");
        await response.WriteAsync(page.ToString(), http.RequestAborted);
    }

    /// <summary>The JSON API, or a client that asked for JSON; a browser form gets the page.</summary>
    public static bool WantsJson(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/v1") || request.Path.StartsWithSegments("/metrics")
        || (request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) ?? false)
        || request.Headers.Accept.Any(a => a?.Contains("application/json", StringComparison.OrdinalIgnoreCase) ?? false);
}
