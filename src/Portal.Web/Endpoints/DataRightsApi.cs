using Microsoft.Net.Http.Headers;
using Portal.Core.Common;
using Portal.Core.Features.DataRights;
using Portal.Web.Hosting;

namespace Portal.Web.Endpoints;

/// <summary>JSON API of the Owner's data rights (export, closure) and the public deletion certificate.</summary>
public static class DataRightsApi
{
    public sealed record ExportResponse(
        Guid Id, DataExportStatus Status, DateTimeOffset RequestedAt, DateTimeOffset? CompletedAt, DateTimeOffset? ExpiresAt, long? SizeBytes, string? Sha256, int? PartCount, string? DownloadUrl);

    public sealed record CloseRequest(string? Password, string? TwoFactorCode);

    public sealed record ClosureResponse(Guid ClosureId, string VerificationUrl, string CertificateUrl, Guid? RefundId, string Refund);

    public sealed record ClosureCheckResponse(bool CanClose, IReadOnlyList<string> Blockers);

    public static WebApplication MapDataRightsApi(this WebApplication app)
    {
        var exports = app.MapGroup("/api/tenant/data-exports").RequireAuthorization(Policies.TenantMember).DisableAntiforgery();
        exports.MapGet("/", async (DataExportQueries q, CancellationToken ct) => (await q.ListMineAsync(ct)).ToHttp(list => Results.Ok(list.Select(Response))));
        exports.MapGet("/{id:guid}", async (Guid id, DataExportQueries q, CancellationToken ct) => (await q.GetMineAsync(id, ct)).ToHttp(e => Results.Ok(Response(e))));
        exports.MapPost("/", async (RequestDataExport.Handler h, CancellationToken ct) =>
        {
            var created = await h.HandleAsync(ct);
            return created.IsSuccess ? Results.Accepted($"/api/tenant/data-exports/{created.Value.Id}", Response(created.Value)) : ResultHttp.Problem(created.Error!);
        });
        exports.MapGet("/{id:guid}/download", async (Guid id, HttpContext http, DataExportQueries q, CancellationToken ct) =>
        {
            var file = await q.OpenAsync(id, ct);
            if (!file.IsSuccess)
                return file.Error == DataExportQueries.Expired
                    ? Results.Problem(statusCode: StatusCodes.Status410Gone, title: file.Error.Message, detail: file.Error.Message, extensions: new Dictionary<string, object?> { ["code"] = file.Error.Code })
                    : ResultHttp.Problem(file.Error!);
            http.Response.Headers[HeaderNames.CacheControl] = "private, no-store";
            http.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
            return Results.Stream(file.Value.Content, "application/zip", file.Value.FileName);
        });

        var closure = app.MapGroup("/api/tenant/closure").RequireAuthorization(Policies.TenantMember).DisableAntiforgery();
        closure.MapGet("/check", async (CloseAccount.Handler h, CancellationToken ct) =>
            (await h.CheckAsync(ct)).ToHttp(b => Results.Ok(new ClosureCheckResponse(b.Count == 0, b))));
        closure.MapPost("/", async (CloseRequest body, CloseAccount.Handler h, CancellationToken ct) =>
            (await h.HandleAsync(new CloseAccount.Command(body.Password ?? "", body.TwoFactorCode), ct)).ToHttp(c =>
                Results.Ok(new ClosureResponse(c.ClosureId, c.VerificationUrl.AbsoluteUri, CertificateUrl(c.VerificationCode), c.RefundId, ApiMoney.Yuan(c.Refund)))));

        app.MapGet("/closures/verify/{code}/certificate.pdf", async (string code, HttpContext http, ClosureQueries q, CancellationToken ct) =>
        {
            var pdf = await q.OpenCertificateAsync(code, ct);
            if (pdf is null) return Results.NotFound();
            http.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
            http.Response.Headers[HeaderNames.ContentSecurityPolicy] = "sandbox; default-src 'none'; object-src 'self'";
            return Results.Stream(pdf, "application/pdf", "数据删除证明.pdf");
        }).AllowAnonymous();
        return app;
    }

    public static string DownloadUrl(Guid exportId) => $"/api/tenant/data-exports/{exportId}/download";

    public static string CertificateUrl(string code) => $"{CloseAccount.ClosureVerifyPath}{code}/certificate.pdf";

    private static ExportResponse Response(DataExportView e) =>
        new(e.Id, e.Status, e.RequestedAt, e.CompletedAt, e.ExpiresAt, e.SizeBytes, e.Sha256, e.PartCount, e.Downloadable ? DownloadUrl(e.Id) : null);
}
