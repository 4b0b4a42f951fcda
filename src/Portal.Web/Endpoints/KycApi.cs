using Microsoft.AspNetCore.Authorization;
using Microsoft.Net.Http.Headers;
using Portal.Core.Features.Kyc;
using Portal.Web.Hosting;

namespace Portal.Web.Endpoints;

/// <summary>
/// Verification documents over HTTP, for the pages' &lt;img&gt; tags and PDF links (cookie auth). PlatformAdmins get any
/// tenant's document; a tenant's Owners and Admins get their own; everyone else (PlatformFinance included) gets 404,
/// never the content. Every read is audited.
/// </summary>
public static class KycApi
{
    public static WebApplication MapKycApi(this WebApplication app)
    {
        app.MapGet("/api/kyc/documents/{id:guid}", async (Guid id, HttpContext http, IAuthorizationService authorization, KycQueries queries, CancellationToken ct) =>
        {
            var asOperator = (await authorization.AuthorizeAsync(http.User, Policies.PlatformAdmin)).Succeeded;
            var result = await queries.OpenDocumentAsync(id, asOperator, ct);
            if (!result.IsSuccess) return ResultHttp.Problem(result.Error!);

            var document = result.Value!;
            // The type was decided from the content; nosniff keeps the browser from deciding otherwise, and the
            // sandbox CSP keeps a PDF viewer (or anything else) from running script in the portal's origin.
            http.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
            http.Response.Headers[HeaderNames.ContentSecurityPolicy] = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'";
            http.Response.Headers[HeaderNames.CacheControl] = "private, no-store";
            http.Response.Headers[HeaderNames.ContentDisposition] = new ContentDispositionHeaderValue("inline") { FileName = document.FileName }.ToString();
            return Results.Stream(document.Content, document.ContentType);
        }).RequireAuthorization();
        return app;
    }
}
