using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.ApiKeys;

/// <summary>What the key list shows; <see cref="Expired"/> is an Active key past its expiry (the relay refuses it).</summary>
public enum ApiKeyState
{
    Active,
    Disabled,
    Revoked,
    Expired,
}

public sealed record ApiKeyRow(
    Guid Id,
    string Name,
    string Prefix,
    ApiKeyState State,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    Money SpentThisMonth,
    long RequestsThisMonth,
    Money? MonthlyBudget,
    int? RequestsPerMinute,
    IReadOnlyList<string> AllowedModels,
    IReadOnlyList<string> AllowedIpRanges)
{
    public DateOnly? LastDay => ExpiresAt is { } at ? ApiKeySettingsRules.LastDay(at) : null;
}

public sealed record ApiKeyMonthSpend(int Month, Money Spent, long Requests);

public sealed record ApiKeyDetail(ApiKeyRow Key, string CreatedBy, DateTimeOffset? RevokedAt, IReadOnlyList<ApiKeyMonthSpend> Months);

/// <summary>Whether the current user may see and manage keys (<see cref="Role"/>), and create or enable them (<see cref="Kyc"/>).</summary>
public sealed record ApiKeyAccess(Error? Role, Error? Kyc);

/// <summary>The tenant's keys for Owners, Admins and Developers. The tenant filter scopes every read: another tenant's key is not found.</summary>
public sealed class ApiKeyQueries(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, IKycGate kyc, TimeProvider clock)
{
    public async Task<ApiKeyAccess> AccessAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireAsync(db, cancellationToken, ApiKeySettingsRules.ManagingRoles);
        if (!member.IsSuccess) return new ApiKeyAccess(member.Error.Code == "Auth.Forbidden" ? ApiKeyErrors.RolesOnly : member.Error, null);
        return new ApiKeyAccess(null, await kyc.CheckAsync(member.Value.TenantId, cancellationToken));
    }

    /// <summary>Every key of the tenant, newest first, with this month's spend (Asia/Shanghai).</summary>
    public async Task<Result<IReadOnlyList<ApiKeyRow>>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireAsync(db, cancellationToken, ApiKeySettingsRules.ManagingRoles);
        if (!member.IsSuccess) return ApiKeyErrors.RolesOnly;
        var now = clock.GetUtcNow();
        var month = ApiKeySettingsRules.MonthOf(now);
        var keys = await db.ApiKeys.AsNoTracking().OrderByDescending(k => k.CreatedAt).ToListAsync(cancellationToken);
        var spend = await db.ApiKeySpends.AsNoTracking().Where(s => s.Month == month)
            .ToDictionaryAsync(s => s.ApiKeyId, cancellationToken);
        return keys.Select(k => ToRow(k, spend.GetValueOrDefault(k.Id), now)).ToList();
    }

    /// <summary>One key with its settings and the spend of its last 12 months; <see cref="ApiKeyErrors.NotFound"/> for another tenant's id.</summary>
    public async Task<Result<ApiKeyDetail>> GetAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireAsync(db, cancellationToken, ApiKeySettingsRules.ManagingRoles);
        if (!member.IsSuccess) return ApiKeyErrors.RolesOnly;
        var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null) return ApiKeyErrors.NotFound;

        var now = clock.GetUtcNow();
        var month = ApiKeySettingsRules.MonthOf(now);
        var since = ApiKeySettingsRules.MonthOf(ChinaTime.ToChina(now).AddMonths(-11));
        var months = await db.ApiKeySpends.AsNoTracking().Where(s => s.ApiKeyId == id && s.Month >= since)
            .OrderByDescending(s => s.Month).ToListAsync(cancellationToken);
        var createdBy = await db.Users.Where(u => u.Id == key.CreatedByUserId).Select(u => u.Email).FirstOrDefaultAsync(cancellationToken);
        return new ApiKeyDetail(
            ToRow(key, months.FirstOrDefault(s => s.Month == month), now),
            createdBy ?? "—",
            key.RevokedAt,
            months.Select(s => new ApiKeyMonthSpend(s.Month, new Money(s.SpentMicroYuan), s.Requests)).ToList());
    }

    private static ApiKeyRow ToRow(ApiKey key, ApiKeySpend? spend, DateTimeOffset now) => new(
        key.Id,
        key.Name,
        key.Prefix,
        key.Status switch
        {
            ApiKeyStatus.Revoked => ApiKeyState.Revoked,
            ApiKeyStatus.Disabled => ApiKeyState.Disabled,
            _ when key.ExpiresAt <= now => ApiKeyState.Expired,
            _ => ApiKeyState.Active,
        },
        key.CreatedAt,
        key.ExpiresAt,
        key.LastUsedAt,
        new Money(spend?.SpentMicroYuan ?? 0),
        spend?.Requests ?? 0,
        key.MonthlyBudgetMicroYuan is { } budget ? new Money(budget) : null,
        key.RequestsPerMinute,
        key.AllowedModels,
        key.AllowedIpRanges);
}
