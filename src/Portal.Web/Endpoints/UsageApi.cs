using System.Globalization;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Features.Usage;
using Portal.Core.Localization;
using Portal.Web.Hosting;
using static Portal.Web.Endpoints.ApiMoney;

namespace Portal.Web.Endpoints;

/// <summary>
/// The current tenant's usage over HTTP: request log pages and detail, streamed exports (CSV with BOM, JSON), the
/// bill check. Every member may read (Viewers included); another tenant's record is 404 and its usage never appears.
/// Time ranges are ISO 8601 instants (<c>from</c> inclusive, <c>to</c> exclusive); the default is the last 7 days.
/// </summary>
public static class UsageApi
{
    public sealed record LogRowResponse(Guid Id, DateTimeOffset At, string RequestId, Guid ApiKeyId, string KeyName, string KeyPrefix, string Model, string Endpoint,
        string Status, int HttpStatus, string? ErrorCode, bool Stream, bool Estimated, long InputTokens, long CachedInputTokens, long OutputTokens, string Cost,
        long CostMicroYuan, long PlanCreditUsedMicroYuan, long WalletChargedMicroYuan, long InputPricePerMillionMicroYuan, long CachedInputPricePerMillionMicroYuan,
        long OutputPricePerMillionMicroYuan, int LatencyMs, int? TimeToFirstTokenMs, string Surface, string? ChannelType, long CacheWriteInputTokens, long CacheWritePricePerMillionMicroYuan);

    public sealed record LogPageResponse(IReadOnlyList<LogRowResponse> Items, string? Next);

    public sealed record TotalsResponse(long Requests, long Errors, long InputTokens, long CachedInputTokens, long OutputTokens, string Cost, long CostMicroYuan,
        long PlanCreditUsedMicroYuan, long WalletChargedMicroYuan);

    public sealed record BreakdownResponse(string Name, Guid? ApiKeyId, TotalsResponse Totals);

    public sealed record BillResponse(string Month, TotalsResponse Totals, IReadOnlyList<BreakdownResponse> ByModel, IReadOnlyList<BreakdownResponse> ByKey);

    public sealed record OverviewResponse(string Balance, string PlanCredit, string SpendToday, string SpendThisMonth, string SpendLastMonth, long RequestsToday,
        long ErrorsToday, long SpendTodayMicroYuan, long SpendThisMonthMicroYuan, long SpendLastMonthMicroYuan);

    public static WebApplication MapUsageApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/tenant/usage").RequireAuthorization(Policies.TenantMember).DisableAntiforgery();

        api.MapGet("/overview", async (UsageQueries q, CancellationToken ct) => (await q.GetOverviewAsync(ct)).ToHttp(o => Results.Ok(new OverviewResponse(
            Yuan(o.Balance), Yuan(o.PlanCredit), Yuan(o.SpendToday), Yuan(o.SpendThisMonth), Yuan(o.SpendLastMonth), o.RequestsToday, o.ErrorsToday,
            o.SpendToday.MicroYuan, o.SpendThisMonth.MicroYuan, o.SpendLastMonth.MicroYuan))));

        api.MapGet("/log", async (HttpRequest request, RequestLog log, TimeProvider clock, CancellationToken ct) =>
        {
            if (Filter(request, clock) is not { } filter) return BadFilter();
            RequestLogCursor? after = null;
            if (request.Query["after"].ToString() is { Length: > 0 } text)
            {
                if (!RequestLogCursor.TryParse(text, out var cursor)) return BadFilter();
                after = cursor;
            }

            var size = int.TryParse(request.Query["size"], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 50;
            return (await log.PageAsync(filter, after, size, ct)).ToHttp(page => Results.Ok(new LogPageResponse(page.Rows.Select(Row).ToList(), page.Next?.ToString())));
        });

        api.MapGet("/log/{id:guid}", async (Guid id, RequestLog log, CancellationToken ct) => (await log.GetAsync(id, ct)).ToHttp(r => Results.Ok(Row(r))));

        api.MapGet("/export.csv", async (HttpRequest request, UsageExport export, IStringLocalizer<SharedResource> l, TimeProvider clock, CancellationToken ct) =>
        {
            if (Filter(request, clock) is not { } filter) return BadFilter();
            var allowed = await export.AuthorizeAsync(ct);
            if (!allowed.IsSuccess) return ResultHttp.Problem(allowed.Error);
            NoStore(request.HttpContext);
            return Results.Stream(stream => export.WriteCsvAsync(stream, filter, c => l[c], request.HttpContext.RequestAborted),
                "text/csv; charset=utf-8", FileName(filter, "csv"));
        });

        api.MapGet("/export.json", async (HttpRequest request, UsageExport export, TimeProvider clock, CancellationToken ct) =>
        {
            if (Filter(request, clock) is not { } filter) return BadFilter();
            var allowed = await export.AuthorizeAsync(ct);
            if (!allowed.IsSuccess) return ResultHttp.Problem(allowed.Error);
            NoStore(request.HttpContext);
            return Results.Stream(stream => export.WriteJsonAsync(stream, filter, request.HttpContext.RequestAborted), "application/json; charset=utf-8", FileName(filter, "json"));
        });

        api.MapGet("/bill", async (string? month, UsageQueries q, TimeProvider clock, CancellationToken ct) =>
        {
            if (Month(month, clock) is not { } m) return BadMonth();
            return (await q.GetBillAsync(m.Year, m.Month, ct)).ToHttp(b => Results.Ok(new BillResponse($"{b.Year:D4}-{b.Month:D2}", Totals(b.Totals),
                b.ByModel.Select(Breakdown).ToList(), b.ByKey.Select(Breakdown).ToList())));
        });

        api.MapGet("/bill.csv", async (string? month, UsageQueries q, IStringLocalizer<SharedResource> l, TimeProvider clock, HttpContext http, CancellationToken ct) =>
        {
            if (Month(month, clock) is not { } m) return BadMonth();
            var bill = await q.GetBillAsync(m.Year, m.Month, ct);
            if (!bill.IsSuccess) return ResultHttp.Problem(bill.Error);
            NoStore(http);
            return Results.Stream(stream => UsageExport.WriteBillCsvAsync(stream, bill.Value, c => l[c], http.RequestAborted),
                "text/csv; charset=utf-8", $"bill-{m.Year:D4}{m.Month:D2}.csv");
        });
        return app;
    }

    /// <summary>The filter from the query string, or null when a value is malformed.</summary>
    public static RequestLogFilter? Filter(HttpRequest request, TimeProvider clock)
    {
        var q = request.Query;
        var now = clock.GetUtcNow();
        DateTimeOffset to = now.AddMinutes(1), from = now.AddDays(-7);
        if (q["to"].ToString() is { Length: > 0 } t && !DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out to)) return null;
        if (q["from"].ToString() is { Length: > 0 } f && !DateTimeOffset.TryParse(f, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out from)) return null;
        Guid? key = null;
        if (q["key"].ToString() is { Length: > 0 } k)
        {
            if (!Guid.TryParse(k, out var id)) return null;
            key = id;
        }

        UsageStatus? status = null;
        if (q["status"].ToString() is { Length: > 0 } st)
        {
            if (!Enum.TryParse<UsageStatus>(st, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed)) return null;
            status = parsed;
        }

        bool? stream = null;
        if (q["stream"].ToString() is { Length: > 0 } sv)
        {
            if (!bool.TryParse(sv, out var b)) return null;
            stream = b;
        }

        var model = q["model"].ToString();
        return new RequestLogFilter(from.ToUniversalTime(), to.ToUniversalTime(), key, model.Length is > 0 and <= 100 ? model : null, status, stream);
    }

    private static (int Year, int Month)? Month(string? text, TimeProvider clock)
    {
        if (string.IsNullOrEmpty(text))
        {
            var today = ChinaTime.Today(clock);
            return (today.Year, today.Month);
        }

        return DateOnly.TryParseExact(text + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? (d.Year, d.Month) : null;
    }

    private static void NoStore(HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["X-Content-Type-Options"] = "nosniff";
    }

    private static string FileName(RequestLogFilter f, string extension) =>
        $"usage-{ChinaTime.ToChina(f.From):yyyyMMddHHmm}-{ChinaTime.ToChina(f.To):yyyyMMddHHmm}.{extension}";

    private static IResult BadFilter() => Results.ValidationProblem(new Dictionary<string, string[]> { ["filter"] = ["Invalid from, to, key, status, stream or after."] });

    private static IResult BadMonth() => Results.ValidationProblem(new Dictionary<string, string[]> { ["month"] = ["Use yyyy-MM, e.g. 2026-11."] });

    private static LogRowResponse Row(RequestLogRow r) => new(r.Id, r.At, r.RequestId, r.ApiKeyId, r.KeyName, r.KeyPrefix, r.Model, r.Endpoint.ToString(), r.Status.ToString(),
        r.HttpStatus, r.ErrorCode, r.Stream, r.Estimated, r.InputTokens, r.CachedInputTokens, r.OutputTokens, Yuan(r.Cost), r.Cost.MicroYuan, r.PlanCreditUsed.MicroYuan,
        r.WalletCharged.MicroYuan, r.InputPricePerMillion.MicroYuan, r.CachedInputPricePerMillion.MicroYuan, r.OutputPricePerMillion.MicroYuan, r.LatencyMs, r.TimeToFirstTokenMs,
        r.Endpoint.WireName(), r.ChannelType?.ToString(), r.CacheWriteInputTokens, r.CacheWritePricePerMillion.MicroYuan);

    private static TotalsResponse Totals(UsageTotals t) => new(t.Requests, t.Errors, t.InputTokens, t.CachedInputTokens, t.OutputTokens, Yuan(t.Cost), t.Cost.MicroYuan,
        t.PlanCreditUsed.MicroYuan, t.WalletCharged.MicroYuan);

    private static BreakdownResponse Breakdown(UsageBreakdownRow r) => new(r.Name, r.ApiKeyId, Totals(r.Totals));
}
