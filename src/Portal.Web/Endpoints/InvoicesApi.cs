using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Net.Http.Headers;
using Portal.Core.Common;
using Portal.Core.Features.Invoices;
using Portal.Web.Hosting;
using static Portal.Web.Endpoints.ApiMoney;

namespace Portal.Web.Endpoints;

/// <summary>
/// Invoices and statements over HTTP: the tenant's JSON API, the PDF/CSV downloads (cookie auth; a Developer, another
/// tenant or a guess gets 404) and finance's monthly exports. Amounts travel as yuan strings.
/// </summary>
public static class InvoicesApi
{
    public sealed record ProfileRequest(string? Title, string? TaxpayerId, string? Address, string? Phone, string? BankName, string? BankAccount, string? Email);

    public sealed record CreateRequest(InvoiceType Type, string Amount, string? Remarks);

    public sealed record InvoiceResponse(
        Guid Id, InvoiceType Type, InvoiceStatus Status, string? Number, string Amount, string Net, string Tax, string TaxRate,
        string BuyerTitle, DateTimeOffset RequestedAt, DateTimeOffset? IssuedAt, string? RejectionReason, string? VoidReason, string? PdfUrl);

    public sealed record InvoiceableResponse(string TopUps, string Refunds, string Issued, string Pending, string Invoiceable, string RefundsInProgress);

    public sealed record InvoicesResponse(InvoiceableResponse Invoiceable, IReadOnlyList<InvoiceResponse> Invoices);

    public sealed record StatementMonthResponse(int Year, int Month, bool Generated, string? Opening, string? Closing, string PdfUrl, string CsvUrl);

    public static WebApplication MapInvoicesApi(this WebApplication app)
    {
        var tenant = app.MapGroup("/api/tenant").RequireAuthorization(Policies.TenantMember).DisableAntiforgery();

        tenant.MapGet("/invoices", async (InvoiceQueries q, CancellationToken ct) =>
        {
            var mine = await q.GetMineAsync(ct);
            if (!mine.IsSuccess) return ResultHttp.Problem(mine.Error!);
            if (!mine.Value.CanAct) return ResultHttp.Problem(Error.Forbidden());
            var b = mine.Value.Invoiceable;
            return Results.Ok(new InvoicesResponse(
                new InvoiceableResponse(Yuan(b.TopUps), Yuan(b.Refunds), Yuan(b.Issued), Yuan(b.Pending), Yuan(b.Invoiceable), Yuan(b.RefundsInProgress)),
                mine.Value.Invoices.Select(Response).ToList()));
        });

        tenant.MapPost("/invoices", async (CreateRequest body, RequestInvoice.Handler h, CancellationToken ct) =>
        {
            if (!Money.TryParseYuan(body.Amount, out var amount))
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["Amount"] = ["Enter an amount in yuan."] });
            var created = await h.HandleAsync(new RequestInvoice.Command(body.Type, amount, body.Remarks), ct);
            return created.IsSuccess ? Results.Created($"/api/tenant/invoices/{created.Value.Id}", Response(created.Value)) : ResultHttp.Problem(created.Error!);
        });

        tenant.MapPost("/invoices/{id:guid}/cancel", async (Guid id, CancelInvoiceRequest.Handler h, CancellationToken ct) =>
            (await h.HandleAsync(new CancelInvoiceRequest.Command(id), ct)).ToHttp(_ => Results.NoContent()));

        tenant.MapGet("/invoice-profile", async (InvoiceQueries q, CancellationToken ct) =>
        {
            var mine = await q.GetMineAsync(ct);
            if (!mine.IsSuccess) return ResultHttp.Problem(mine.Error!);
            if (!mine.Value.CanAct) return ResultHttp.Problem(Error.Forbidden());
            return Results.Ok(new { Saved = mine.Value.Profile is not null, Matches = mine.Value.ProfileMatches, Profile = mine.Value.ProfileForm });
        });

        tenant.MapPut("/invoice-profile", async (ProfileRequest body, SaveInvoiceProfile.Handler h, CancellationToken ct) =>
            (await h.HandleAsync(new SaveInvoiceProfile.Command(body.Title ?? "", body.TaxpayerId ?? "", body.Address ?? "", body.Phone ?? "", body.BankName ?? "", body.BankAccount ?? "", body.Email ?? ""), ct))
            .ToHttp(p => Results.Ok(new ProfileRequest(p.Title, p.TaxpayerId, p.Address, p.Phone, p.BankName, p.BankAccount, p.Email))));

        tenant.MapGet("/statements", async (StatementQueries q, CancellationToken ct) =>
            (await q.ListMineAsync(ct)).ToHttp(months => Results.Ok(months.Select(m => new StatementMonthResponse(
                m.Year, m.Month, m.Generated is not null,
                m.Generated is { } g ? Yuan(new Money(g.OpeningMicroYuan)) : null,
                m.Generated is { } c ? Yuan(new Money(c.ClosingMicroYuan)) : null,
                StatementUrl(m.Year, m.Month, StatementFormat.Pdf), StatementUrl(m.Year, m.Month, StatementFormat.Csv))))));

        tenant.MapGet("/statements/{year:int}/{month:int}/{format}", async (int year, int month, string format, StatementQueries q, CancellationToken ct) =>
        {
            if (!Enum.TryParse<StatementFormat>(format, ignoreCase: true, out var kind)) return Results.NotFound();
            var file = await q.OpenAsync(year, month, kind, ct);
            return file.IsSuccess ? File(file.Value, kind == StatementFormat.Pdf ? "application/pdf" : "text/csv; charset=utf-8", attachment: kind == StatementFormat.Csv) : ResultHttp.Problem(file.Error!);
        });

        // Tenants (Owner, Finance) and operators; everyone else 404, never the content.
        app.MapGet("/api/invoices/{id:guid}/pdf", async (Guid id, HttpContext http, IAuthorizationService authorization, InvoiceQueries q, CancellationToken ct) =>
        {
            var asOperator = (await authorization.AuthorizeAsync(http.User, Policies.Operator)).Succeeded;
            var file = await q.OpenPdfAsync(id, asOperator, ct);
            return file.IsSuccess ? File(file.Value, "application/pdf", attachment: http.Request.Query.ContainsKey("download")) : ResultHttp.Problem(file.Error!);
        }).RequireAuthorization();

        var finance = app.MapGroup("/api/admin/invoices").RequireAuthorization(Policies.PlatformFinance);
        finance.MapGet("/{year:int}/{month:int}/zip", async (int year, int month, InvoiceQueries q, CancellationToken ct) =>
            (await q.ExportZipAsync(year, month, ct)).ToHttp(bytes => Results.File(bytes, "application/zip", $"发票-{year:0000}-{month:00}.zip")));
        finance.MapGet("/{year:int}/{month:int}/csv", async (int year, int month, InvoiceQueries q, CancellationToken ct) =>
            (await q.ExportCsvAsync(year, month, ct)).ToHttp(bytes => Results.File(bytes, "text/csv; charset=utf-8", $"发票清单-{year:0000}-{month:00}.csv")));
        return app;
    }

    public static string PdfUrl(Guid invoiceId) => $"/api/invoices/{invoiceId}/pdf";

    public static string StatementUrl(int year, int month, StatementFormat format) =>
        $"/api/tenant/statements/{year}/{month}/{format.ToString().ToLowerInvariant()}";

    private static IResult File(InvoiceFile file, string contentType, bool attachment)
    {
        // Generated by the portal, but served like the KYC documents: no sniffing, no script, no caching of tax documents.
        return new FileResultWithHeaders(file, contentType, attachment);
    }

    private static InvoiceResponse Response(Invoice i) => new(
        i.Id, i.Type, i.Status, i.Number, Yuan(i.Amount), Yuan(i.Net), Yuan(i.Tax), (i.TaxRateBasisPoints / 100m).ToString("0.##", CultureInfo.InvariantCulture) + "%",
        i.BuyerTitle, i.RequestedAt, i.IssuedAt, i.RejectionReason, i.VoidReason, i.CurrentPdfKey is null ? null : PdfUrl(i.Id));

    private sealed class FileResultWithHeaders(InvoiceFile file, string contentType, bool attachment) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
            http.Response.Headers[HeaderNames.ContentSecurityPolicy] = "sandbox; default-src 'none'; object-src 'self'";
            http.Response.Headers[HeaderNames.CacheControl] = "private, no-store";
            http.Response.Headers[HeaderNames.ContentDisposition] =
                new ContentDispositionHeaderValue(attachment ? "attachment" : "inline") { FileNameStar = file.FileName }.ToString();
            await Results.Stream(file.Content, contentType).ExecuteAsync(http);
        }
    }
}
