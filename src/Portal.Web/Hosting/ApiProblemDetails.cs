using Microsoft.AspNetCore.Http;

namespace Portal.Web.Hosting;

/// <summary>
/// Every error answer under <c>/api</c> carries a ProblemDetails body. Minimal APIs answer a body they cannot bind
/// (malformed JSON, a wrong type, an unknown enum name, no body at all) with a bare 400, routing answers 405 and the cookie
/// handler 401/403 the same way; without this the status-code page would turn them into the HTML not-found page.
/// </summary>
public static class ApiProblemDetails
{
    /// <summary>Registered inside the status-code pages so it fills the body first.</summary>
    public static IApplicationBuilder UseApiProblemDetails(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        await next(context);
        var response = context.Response;
        if (!context.Request.Path.StartsWithSegments("/api") || response.HasStarted || response.StatusCode < 400
            || response.ContentLength is > 0 || !string.IsNullOrEmpty(response.ContentType))
            return;

        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = { Status = response.StatusCode } });
    });
}
