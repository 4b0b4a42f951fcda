using System.Globalization;
using Portal.Core.Features.Status;

namespace Portal.Web.Endpoints;

/// <summary>The public status page's data as JSON (<c>GET /status.json</c>): no sign-in, no tenant data.</summary>
public static class StatusApi
{
    public sealed record DayJson(string Date, long Requests, long PlatformFailures, string? Availability);

    public sealed record ModelJson(string Model, string Name, string State, string? Availability90Days, IReadOnlyList<DayJson> Days);

    public sealed record UpdateJson(DateTimeOffset At, string Status, string Message);

    public sealed record IncidentJson(Guid Id, string Title, string Impact, string Status, IReadOnlyList<string> AffectedModels, DateTimeOffset StartedAt,
        DateTimeOffset? ResolvedAt, IReadOnlyList<UpdateJson> Updates);

    public sealed record StatusJson(DateTimeOffset GeneratedAt, string Overall, string Definition, IReadOnlyList<ModelJson> Models,
        IReadOnlyList<IncidentJson> OpenIncidents, IReadOnlyList<IncidentJson> PastIncidents);

    public static WebApplication MapStatusApi(this WebApplication app)
    {
        app.MapGet("/status.json", async (StatusQueries queries, HttpContext http, CancellationToken ct) =>
        {
            var report = await queries.GetAsync(ct);
            http.Response.Headers.CacheControl = "public, max-age=30";
            return TypedResults.Ok(new StatusJson(report.GeneratedAt, report.Overall.ToString(),
                "availability = 1 - platform failures / counted requests, per model and Beijing day; platform failures = every channel failed, a 5xx of the platform, a timeout or a stream broken off upstream; client errors and refusals are not counted",
                report.Models.Select(m => new ModelJson(m.Model, m.DisplayName, m.State.ToString(), Percent(m.PartsPerMillionOverPeriod),
                    m.Days.Select(d => new DayJson(d.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), d.Requests, d.PlatformFailures, Percent(d.PartsPerMillion))).ToList())).ToList(),
                report.OpenIncidents.Select(Incident).ToList(), report.PastIncidents.Select(Incident).ToList()));
        }).AllowAnonymous().WithName("GetStatus").WithSummary("Platform status: availability per model for 90 days and incidents");
        return app;
    }

    /// <summary>Parts per million as a percentage with three decimals, "99.950"; null without traffic.</summary>
    public static string? Percent(long? partsPerMillion) =>
        partsPerMillion is { } ppm ? (ppm / 10_000m).ToString("0.000", CultureInfo.InvariantCulture) : null;

    private static IncidentJson Incident(IncidentView i) =>
        new(i.Id, i.Title, i.Impact.ToString(), i.Status.ToString(), i.AffectedModels, i.StartedAt, i.ResolvedAt,
            i.Timeline.Select(u => new UpdateJson(u.At, u.Status.ToString(), u.Message)).ToList());
}
