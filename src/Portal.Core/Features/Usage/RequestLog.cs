using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Usage;

/// <summary>What the request log shows: a time range [From, To) and optional key, model, status and streaming filters.</summary>
public sealed record RequestLogFilter(DateTimeOffset From, DateTimeOffset To, Guid? ApiKeyId = null, string? Model = null, UsageStatus? Status = null, bool? Stream = null);

/// <summary>Where a page ends: the last row's (At, Id). Serialised as <c>{utc ticks}_{id}</c> for URLs.</summary>
public readonly record struct RequestLogCursor(DateTimeOffset At, Guid Id)
{
    public override string ToString() => $"{At.UtcTicks.ToString(CultureInfo.InvariantCulture)}_{Id:N}";

    public static bool TryParse(string? text, out RequestLogCursor cursor)
    {
        cursor = default;
        var parts = text?.Split('_');
        if (parts is not { Length: 2 } || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks || !Guid.TryParse(parts[1], out var id)) return false;
        cursor = new RequestLogCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id);
        return true;
    }
}

public sealed record RequestLogRow(Guid Id, DateTimeOffset At, string RequestId, Guid ApiKeyId, string KeyName, string KeyPrefix, string Model, UsageEndpoint Endpoint,
    UsageStatus Status, int HttpStatus, string? ErrorCode, bool Stream, bool Estimated, long InputTokens, long CachedInputTokens, long OutputTokens, Money Cost,
    Money PlanCreditUsed, Money WalletCharged, Money InputPricePerMillion, Money CachedInputPricePerMillion, Money OutputPricePerMillion, int LatencyMs,
    int? TimeToFirstTokenMs, bool Overdraft, string ClientIp, Catalog.ChannelType? ChannelType = null, long CacheWriteInputTokens = 0,
    Money CacheWritePricePerMillion = default, Catalog.ChannelRegion? ChannelRegion = null, DataProtection.PiiCounts PiiFindings = default);

public sealed record RequestLogSlice(IReadOnlyList<RequestLogRow> Rows, RequestLogCursor? Next);

/// <summary>
/// The raw request log of the current tenant, newest first, by keyset pagination on (At, Id) over the
/// (tenant_id, at, id) index: a page costs the same on the millionth row as on the first (no OFFSET).
/// Every member of the tenant may read it.
/// </summary>
public sealed class RequestLog(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access)
{
    public const int MaxPageSize = 200;

    public async Task<Result<RequestLogSlice>> PageAsync(RequestLogFilter filter, RequestLogCursor? after, int pageSize = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error;
        var size = Math.Clamp(pageSize, 1, MaxPageSize);
        var records = await Query(db, filter, after).Take(size + 1).ToListAsync(cancellationToken);
        var keys = await UsageQueries.KeyNamesAsync(db, cancellationToken);
        var rows = records.Take(size).Select(r => Row(r, keys)).ToList();
        return new RequestLogSlice(rows, records.Count > size ? new RequestLogCursor(rows[^1].At, rows[^1].Id) : null);
    }

    public async Task<Result<RequestLogRow>> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error;
        // The tenant filter makes another tenant's record invisible: the same answer as a missing one.
        var record = await db.UsageRecords.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (record is null) return Error.NotFound("UsageRecord");
        return Row(record, await UsageQueries.KeyNamesAsync(db, cancellationToken));
    }

    /// <summary>Newest first after the cursor. The tenant filter on <see cref="UsageRecord"/> restricts it to the current tenant.</summary>
    internal static IQueryable<UsageRecord> Query(PortalDbContext db, RequestLogFilter filter, RequestLogCursor? after)
    {
        var query = db.UsageRecords.AsNoTracking().Where(r => r.At >= filter.From && r.At < filter.To);
        if (filter.ApiKeyId is { } key) query = query.Where(r => r.ApiKeyId == key);
        if (!string.IsNullOrEmpty(filter.Model)) query = query.Where(r => r.Model == filter.Model);
        if (filter.Status is { } status) query = query.Where(r => r.Status == status);
        if (filter.Stream is { } stream) query = query.Where(r => r.Stream == stream);
        // NOTE: the redundant "At <= cursor" gives PostgreSQL an index bound, so a later page starts at the cursor instead of
        // filtering every newer row away (an OR alone is not used as a range condition).
        if (after is { } c) query = query.Where(r => r.At <= c.At && (r.At < c.At || r.Id.CompareTo(c.Id) < 0));
        return query.OrderByDescending(r => r.At).ThenByDescending(r => r.Id);
    }

    internal static RequestLogRow Row(UsageRecord r, IReadOnlyDictionary<Guid, (string Name, string Prefix)> keys)
    {
        var (name, prefix) = keys.TryGetValue(r.ApiKeyId, out var k) ? k : ("", "");
        return new RequestLogRow(r.Id, r.At, r.RequestId, r.ApiKeyId, name, prefix, r.Model, r.Endpoint, r.Status, r.HttpStatus, r.ErrorCode, r.Stream, r.Estimated,
            r.InputTokens, r.CachedInputTokens, r.OutputTokens, new Money(r.CostMicroYuan), new Money(r.PlanCreditUsedMicroYuan), new Money(r.WalletChargedMicroYuan),
            new Money(r.InputPricePerMillionMicroYuan), new Money(r.CachedInputPricePerMillionMicroYuan), new Money(r.OutputPricePerMillionMicroYuan), r.LatencyMs,
            r.TimeToFirstTokenMs, r.Overdraft, r.ClientIp, r.ChannelType, r.CacheWriteInputTokens, new Money(r.CacheWritePricePerMillionMicroYuan),
            r.ChannelRegion, DataProtection.PiiCounts.Decode(r.PiiFindings));
    }
}
