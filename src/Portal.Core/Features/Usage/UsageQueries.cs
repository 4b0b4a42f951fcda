using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Usage;

/// <summary>Summed usage: requests, errors, tokens and money.</summary>
public sealed record UsageTotals(long Requests, long Errors, long InputTokens, long CachedInputTokens, long OutputTokens, Money Cost, Money PlanCreditUsed, Money WalletCharged)
{
    public static readonly UsageTotals Zero = new(0, 0, 0, 0, 0, Money.Zero, Money.Zero, Money.Zero);

    public double ErrorRate => Requests == 0 ? 0 : (double)Errors / Requests;
}

/// <summary>The tenant overview: money, spend and today's traffic, plus daily spend by model for the last 30 days.</summary>
public sealed record UsageOverview(
    Money Balance,
    Money PlanCredit,
    DateTimeOffset? PlanCreditExpiresAt,
    Money Available,
    Money SpendToday,
    Money SpendThisMonth,
    Money SpendLastMonth,
    long RequestsToday,
    long ErrorsToday,
    UsageSeries DailySpend)
{
    public double ErrorRateToday => RequestsToday == 0 ? 0 : (double)ErrorsToday / RequestsToday;
}

/// <summary>A chart: one value per day for each series (a model or a key), days in order.</summary>
public sealed record UsageSeries(IReadOnlyList<DateOnly> Days, IReadOnlyList<(string Name, long[] Values)> Series)
{
    public bool IsEmpty => Series.Count == 0;
}

/// <summary>One row of a breakdown by model or by key.</summary>
public sealed record UsageBreakdownRow(string Name, Guid? ApiKeyId, UsageTotals Totals);

/// <summary>Usage over a range of Beijing days, optionally for one key.</summary>
public sealed record UsageReport(DateOnly From, DateOnly To, Guid? ApiKeyId, UsageTotals Totals, UsageSeries DailySpendByModel, UsageSeries DailyTokensByModel,
    IReadOnlyList<UsageBreakdownRow> ByModel, IReadOnlyList<UsageBreakdownRow> ByKey);

/// <summary>A month's figures for the customer's own reconciliation (账单核对).</summary>
public sealed record UsageBill(int Year, int Month, UsageTotals Totals, IReadOnlyList<UsageBreakdownRow> ByModel, IReadOnlyList<UsageBreakdownRow> ByKey);

public sealed record UsageKeyOption(Guid Id, string Name, string Prefix, ApiKeyStatus Status);

/// <summary>
/// The tenant's usage for every member (Viewers included: reading usage is what the role is for). Reads only the
/// roll-ups, never the raw records, so it costs the same for a tenant with a billion requests.
/// </summary>
public sealed class UsageQueries(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, TimeProvider clock)
{
    /// <summary>Models beyond this many are summed into one "Other" series in charts.</summary>
    public const int MaxChartSeries = 6;

    public const string OtherSeries = "Other";

    public const int MaxRangeDays = 366;

    public async Task<Result<UsageOverview>> GetOverviewAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error;

        var now = clock.GetUtcNow();
        var today = ChinaTime.Today(clock);
        var (monthStart, _) = UsageBuckets.MonthOf(today);
        var lastMonthStart = monthStart.AddMonths(-1);
        var from30 = today.AddDays(-29);
        var firstDay = UsageBuckets.DayKey(lastMonthStart < from30 ? lastMonthStart : from30);

        var wallet = await db.Wallets.AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        var days = await db.Set<UsageDaily>().AsNoTracking()
            .Where(r => r.Day >= firstDay && r.Day <= UsageBuckets.DayKey(today))
            .GroupBy(r => new { r.Day, r.Model })
            .Select(g => new DayModel(g.Key.Day, g.Key.Model, g.Sum(r => r.Requests), g.Sum(r => r.Errors), g.Sum(r => r.CostMicroYuan), g.Sum(r => r.InputTokens + r.OutputTokens)))
            .ToListAsync(cancellationToken);

        var todayKey = UsageBuckets.DayKey(today);
        var monthKey = UsageBuckets.DayKey(monthStart);
        var lastMonthKey = UsageBuckets.DayKey(lastMonthStart);
        return new UsageOverview(
            wallet?.Balance ?? Money.Zero,
            wallet?.LivePlanCredit(now) ?? Money.Zero,
            wallet?.PlanCreditExpiresAt,
            wallet?.Available(now) ?? Money.Zero,
            new Money(days.Where(d => d.Day == todayKey).Sum(d => d.Cost)),
            new Money(days.Where(d => d.Day >= monthKey).Sum(d => d.Cost)),
            new Money(days.Where(d => d.Day >= lastMonthKey && d.Day < monthKey).Sum(d => d.Cost)),
            days.Where(d => d.Day == todayKey).Sum(d => d.Requests),
            days.Where(d => d.Day == todayKey).Sum(d => d.Errors),
            Series(from30, today, days.Where(d => d.Day >= UsageBuckets.DayKey(from30)).Select(d => (d.Day, d.Model, d.Cost))));
    }

    public async Task<Result<UsageReport>> GetReportAsync(DateOnly from, DateOnly to, Guid? apiKeyId, CancellationToken cancellationToken = default)
    {
        if (to < from) (from, to) = (to, from);
        if (to.DayNumber - from.DayNumber >= MaxRangeDays) from = to.AddDays(-(MaxRangeDays - 1));
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error;
        if (apiKeyId is { } keyId && !await db.ApiKeys.AnyAsync(k => k.Id == keyId, cancellationToken)) return Error.NotFound("ApiKey");

        var rows = db.Set<UsageDaily>().AsNoTracking().Where(r => r.Day >= UsageBuckets.DayKey(from) && r.Day <= UsageBuckets.DayKey(to));
        if (apiKeyId is { } key) rows = rows.Where(r => r.ApiKeyId == key);
        // Two small aggregates (day × model for the charts and model totals, key for the key totals) rather than every
        // day × key × model row: the database sums, the app receives a few hundred rows.
        var byDayModel = await Grouped(rows.GroupBy(r => new { r.Day, r.Model }).Select(g => new Flat(g.Key.Day, Guid.Empty, g.Key.Model, g.Sum(r => r.Requests),
            g.Sum(r => r.Errors), g.Sum(r => r.InputTokens), g.Sum(r => r.CachedInputTokens), g.Sum(r => r.OutputTokens), g.Sum(r => r.CostMicroYuan),
            g.Sum(r => r.PlanCreditUsedMicroYuan), g.Sum(r => r.WalletChargedMicroYuan))), cancellationToken);
        var byKey = await Grouped(rows.GroupBy(r => r.ApiKeyId).Select(g => new Flat(0, g.Key, "", g.Sum(r => r.Requests),
            g.Sum(r => r.Errors), g.Sum(r => r.InputTokens), g.Sum(r => r.CachedInputTokens), g.Sum(r => r.OutputTokens), g.Sum(r => r.CostMicroYuan),
            g.Sum(r => r.PlanCreditUsedMicroYuan), g.Sum(r => r.WalletChargedMicroYuan))), cancellationToken);
        var keys = await KeyNamesAsync(db, cancellationToken);

        return new UsageReport(from, to, apiKeyId,
            Total(byDayModel.Select(g => g.Sums)),
            Series(from, to, byDayModel.Select(g => (g.Day, g.Model, g.Sums.Cost))),
            Series(from, to, byDayModel.Select(g => (g.Day, g.Model, g.Sums.Input + g.Sums.Output))),
            ByModel(byDayModel),
            ByKey(byKey, keys));
    }

    public async Task<Result<UsageBill>> GetBillAsync(int year, int month, CancellationToken cancellationToken = default)
    {
        if (year is < 2000 or > 9999 || month is < 1 or > 12) return Error.NotFound("Month");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error;
        var (first, last) = UsageBuckets.MonthOf(new DateOnly(year, month, 1));
        var grouped = await Grouped(db.Set<UsageDaily>().AsNoTracking()
            .Where(r => r.Day >= UsageBuckets.DayKey(first) && r.Day <= UsageBuckets.DayKey(last))
            .GroupBy(r => new { r.ApiKeyId, r.Model })
            .Select(g => new Flat(0, g.Key.ApiKeyId, g.Key.Model, g.Sum(r => r.Requests), g.Sum(r => r.Errors), g.Sum(r => r.InputTokens), g.Sum(r => r.CachedInputTokens),
                g.Sum(r => r.OutputTokens), g.Sum(r => r.CostMicroYuan), g.Sum(r => r.PlanCreditUsedMicroYuan), g.Sum(r => r.WalletChargedMicroYuan))), cancellationToken);
        var keys = await KeyNamesAsync(db, cancellationToken);
        return new UsageBill(year, month, Total(grouped.Select(g => g.Sums)), ByModel(grouped), ByKey(grouped, keys));
    }

    /// <summary>The tenant's keys (revoked ones too: their usage stays), for filters and the per-key view.</summary>
    public async Task<Result<IReadOnlyList<UsageKeyOption>>> ListKeysAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error;
        var keys = await db.ApiKeys.AsNoTracking().OrderBy(k => k.Name).ThenBy(k => k.CreatedAt)
            .Select(k => new UsageKeyOption(k.Id, k.Name, k.Prefix, k.Status)).ToListAsync(cancellationToken);
        return Result<IReadOnlyList<UsageKeyOption>>.Success(keys);
    }

    /// <summary>Models the tenant has used (from the roll-ups), for filters.</summary>
    public async Task<Result<IReadOnlyList<string>>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error;
        var models = await db.Set<UsageDaily>().AsNoTracking().Select(r => r.Model).Distinct().OrderBy(m => m).ToListAsync(cancellationToken);
        return Result<IReadOnlyList<string>>.Success(models);
    }

    internal static async Task<Dictionary<Guid, (string Name, string Prefix)>> KeyNamesAsync(PortalDbContext db, CancellationToken cancellationToken) =>
        await db.ApiKeys.AsNoTracking().Select(k => new { k.Id, k.Name, k.Prefix }).ToDictionaryAsync(k => k.Id, k => (k.Name, k.Prefix), cancellationToken);

    private static UsageTotals Total(IEnumerable<Sums> sums)
    {
        var list = sums.ToList();
        return list.Count == 0
            ? UsageTotals.Zero
            : new UsageTotals(list.Sum(s => s.Requests), list.Sum(s => s.Errors), list.Sum(s => s.Input), list.Sum(s => s.Cached), list.Sum(s => s.Output),
                new Money(list.Sum(s => s.Cost)), new Money(list.Sum(s => s.PlanCredit)), new Money(list.Sum(s => s.Wallet)));
    }

    private static List<UsageBreakdownRow> ByModel(IEnumerable<DayKeyModel> rows) =>
        rows.GroupBy(r => r.Model).Select(g => new UsageBreakdownRow(g.Key, null, Total(g.Select(r => r.Sums))))
            .OrderByDescending(r => r.Totals.Cost).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();

    private static List<UsageBreakdownRow> ByKey(IEnumerable<DayKeyModel> rows, Dictionary<Guid, (string Name, string Prefix)> keys) =>
        rows.GroupBy(r => r.ApiKeyId).Select(g => new UsageBreakdownRow(keys.TryGetValue(g.Key, out var k) ? k.Name : g.Key.ToString()[..8], g.Key, Total(g.Select(r => r.Sums))))
            .OrderByDescending(r => r.Totals.Cost).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();

    /// <summary>Daily values per name; the biggest <see cref="MaxChartSeries"/> names get their own series, the rest "Other".</summary>
    internal static UsageSeries Series(DateOnly from, DateOnly to, IEnumerable<(int Day, string Name, long Value)> points)
    {
        var list = points.ToList();
        var days = Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(from.AddDays).ToList();
        var index = days.Select((d, i) => (UsageBuckets.DayKey(d), i)).ToDictionary(x => x.Item1, x => x.i);
        var ranked = list.GroupBy(p => p.Name).Select(g => (Name: g.Key, Total: g.Sum(p => p.Value)))
            .Where(x => x.Total > 0).OrderByDescending(x => x.Total).ThenBy(x => x.Name, StringComparer.Ordinal).Select(x => x.Name).ToList();
        var named = ranked.Count <= MaxChartSeries ? ranked : ranked.Take(MaxChartSeries - 1).ToList();
        var series = named.Select(n => (Name: n, Values: new long[days.Count])).ToList();
        if (ranked.Count > named.Count) series.Add((OtherSeries, new long[days.Count]));
        var position = series.Select((s, i) => (s.Name, i)).ToDictionary(x => x.Name, x => x.i);
        foreach (var p in list)
        {
            if (!index.TryGetValue(p.Day, out var d)) continue;
            var s = position.TryGetValue(p.Name, out var named0) ? named0 : position.GetValueOrDefault(OtherSeries, -1);
            if (s >= 0) series[s].Values[d] += p.Value;
        }

        return new UsageSeries(days, series);
    }

    private sealed record DayModel(int Day, string Model, long Requests, long Errors, long Cost, long Tokens);

    private sealed record Sums(long Requests, long Errors, long Input, long Cached, long Output, long Cost, long PlanCredit, long Wallet);

    private sealed record DayKeyModel(int Day, Guid ApiKeyId, string Model, Sums Sums);

    /// <summary>One grouped roll-up row as SQL returns it (a flat projection keeps EF's GROUP BY translation simple).</summary>
    private sealed record Flat(int Day, Guid ApiKeyId, string Model, long Requests, long Errors, long Input, long Cached, long Output, long Cost, long PlanCredit, long Wallet);

    private static async Task<List<DayKeyModel>> Grouped(IQueryable<Flat> query, CancellationToken cancellationToken) =>
        (await query.ToListAsync(cancellationToken))
        .Select(f => new DayKeyModel(f.Day, f.ApiKeyId, f.Model, new Sums(f.Requests, f.Errors, f.Input, f.Cached, f.Output, f.Cost, f.PlanCredit, f.Wallet)))
        .ToList();
}
