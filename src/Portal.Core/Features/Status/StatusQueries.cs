using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Usage;

namespace Portal.Core.Features.Status;

/// <summary>One model's day: counted requests, platform failures and the availability in parts per million (null = no traffic).</summary>
public sealed record AvailabilityBar(DateOnly Day, long Requests, long PlatformFailures, long? PartsPerMillion);

public enum ModelState
{
    Operational,
    Degraded,
    [EnumText("Partial outage")]
    PartialOutage,
    [EnumText("Major outage")]
    MajorOutage,
}

public sealed record ModelStatus(string Model, string DisplayName, ModelState State, long? PartsPerMillionOverPeriod, IReadOnlyList<AvailabilityBar> Days);

public sealed record IncidentView(Guid Id, string Title, IncidentImpact Impact, IncidentStatus Status, IReadOnlyList<string> AffectedModels,
    DateTimeOffset StartedAt, DateTimeOffset? ResolvedAt, IReadOnlyList<IncidentUpdate> Timeline);

/// <summary>What the public status page and its JSON feed show.</summary>
public sealed record StatusReport(DateTimeOffset GeneratedAt, DateOnly FirstDay, DateOnly LastDay, ModelState Overall, IReadOnlyList<ModelStatus> Models,
    IReadOnlyList<IncidentView> OpenIncidents, IReadOnlyList<IncidentView> PastIncidents);

/// <summary>Public, read-only: availability per model and day, and incidents. No tenant data.</summary>
public sealed class StatusQueries(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    public const int Days = 90;

    public async Task<StatusReport> GetAsync(CancellationToken cancellationToken = default)
    {
        var today = ChinaTime.Today(clock);
        var first = today.AddDays(-(Days - 1));
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var models = await db.AiModels.AsNoTracking().Where(m => m.Enabled).OrderBy(m => m.SortOrder).ThenBy(m => m.PublicId)
            .Select(m => new { m.PublicId, m.DisplayName }).ToListAsync(cancellationToken);
        var rows = await DaysAsync(db, first, today, null, cancellationToken);
        // NOTE: PostgreSQL takes UTC instants only.
        var since = UsageBuckets.StartOf(first).ToUniversalTime();
        var incidents = await db.Set<Incident>().AsNoTracking().Include(i => i.Updates)
            .Where(i => i.ResolvedAt == null || i.StartedAt >= since)
            .OrderByDescending(i => i.StartedAt).ToListAsync(cancellationToken);
        var open = incidents.Where(i => i.Status != IncidentStatus.Resolved).ToList();

        var statuses = models.Select(m =>
        {
            var byDay = rows.Where(r => r.Model == m.PublicId).ToDictionary(r => r.Day);
            var bars = Enumerable.Range(0, Days).Select(i => first.AddDays(i)).Select(d =>
                byDay.TryGetValue(UsageBuckets.DayKey(d), out var r)
                    ? new AvailabilityBar(d, r.Requests, r.PlatformFailures, Availability.PartsPerMillion(r.Requests, r.PlatformFailures))
                    : new AvailabilityBar(d, 0, 0, null)).ToList();
            var requests = bars.Sum(b => b.Requests);
            var state = open.Where(i => i.Affects(m.PublicId)).Select(i => StateOf(i.Impact)).DefaultIfEmpty(ModelState.Operational).Max();
            return new ModelStatus(m.PublicId, m.DisplayName, state, requests == 0 ? null : Availability.PartsPerMillion(requests, bars.Sum(b => b.PlatformFailures)), bars);
        }).ToList();
        var overall = statuses.Select(s => s.State).Concat(open.Where(i => i.Models.Count == 0).Select(i => StateOf(i.Impact))).DefaultIfEmpty(ModelState.Operational).Max();
        return new StatusReport(clock.GetUtcNow(), first, today, overall, statuses, open.Select(View).ToList(),
            incidents.Where(i => i.Status == IncidentStatus.Resolved).Select(View).ToList());
    }

    /// <summary>The availability rows of a range of Beijing days (inclusive), optionally of one model.</summary>
    public static Task<List<ModelAvailabilityDay>> DaysAsync(PortalDbContext db, DateOnly first, DateOnly last, string? model, CancellationToken cancellationToken)
    {
        var from = UsageBuckets.DayKey(first);
        var to = UsageBuckets.DayKey(last);
        var query = db.Set<ModelAvailabilityDay>().AsNoTracking().Where(r => r.Day >= from && r.Day <= to);
        if (model is not null) query = query.Where(r => r.Model == model);
        return query.ToListAsync(cancellationToken);
    }

    /// <summary>Operators: every incident, newest first.</summary>
    public async Task<List<IncidentView>> ListIncidentsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var incidents = await db.Set<Incident>().AsNoTracking().Include(i => i.Updates).OrderByDescending(i => i.StartedAt).Take(200).ToListAsync(cancellationToken);
        return incidents.Select(View).ToList();
    }

    private static ModelState StateOf(IncidentImpact impact) => impact switch
    {
        IncidentImpact.MajorOutage => ModelState.MajorOutage,
        IncidentImpact.PartialOutage => ModelState.PartialOutage,
        _ => ModelState.Degraded,
    };

    private static IncidentView View(Incident i) =>
        new(i.Id, i.Title, i.Impact, i.Status, i.Models, i.StartedAt, i.ResolvedAt, i.Updates.OrderByDescending(u => u.At).ToList());
}
