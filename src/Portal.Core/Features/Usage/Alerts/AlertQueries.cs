using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Usage.Alerts;

public sealed record AlertSettingsView(Money? LowBalanceThreshold, Money? MonthlySpendThreshold, bool KeyBudgetAlerts, string? WebhookUrl, bool HasWebhookSecret, bool LowBalanceArmed, bool CanEdit);

public sealed record FiredAlertView(Guid Id, UsageAlertKind Kind, string? KeyName, string Period, Money Value, Money Threshold, DateTimeOffset At);

public sealed record WebhookDeliveryView(Guid Id, string Event, string Url, WebhookDeliveryStatus Status, int Attempts, int? LastStatusCode, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? DeliveredAt, DateTimeOffset NextAttemptAt);

/// <summary>Alert settings, fired alerts and the webhook delivery log of the current tenant. Owners, Admins and Finance only.</summary>
public sealed class AlertQueries(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access)
{
    public async Task<Result<AlertSettingsView>> GetSettingsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireAsync(db, cancellationToken, SaveAlertSettings.Editors);
        if (!member.IsSuccess) return member.Error;
        var s = await db.Set<UsageAlertSettings>().AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        return s is null
            ? new AlertSettingsView(null, null, true, null, false, true, true)
            : new AlertSettingsView(Opt(s.LowBalanceThresholdMicroYuan), Opt(s.MonthlySpendThresholdMicroYuan), s.KeyBudgetAlerts, s.WebhookUrl, s.WebhookSecretProtected is not null, s.LowBalanceArmed, true);
    }

    public async Task<Result<IReadOnlyList<FiredAlertView>>> ListAlertsAsync(int take = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireAsync(db, cancellationToken, SaveAlertSettings.Editors);
        if (!member.IsSuccess) return member.Error;
        var keys = await UsageQueries.KeyNamesAsync(db, cancellationToken);
        var alerts = await db.Set<UsageAlert>().AsNoTracking().OrderByDescending(a => a.At).Take(Math.Clamp(take, 1, 200)).ToListAsync(cancellationToken);
        return Result<IReadOnlyList<FiredAlertView>>.Success(alerts.Select(a => new FiredAlertView(a.Id, a.Kind, keys.TryGetValue(a.ApiKeyId, out var k) ? k.Name : null, a.Period,
            new Money(a.ValueMicroYuan), new Money(a.ThresholdMicroYuan), a.At)).ToList());
    }

    public async Task<Result<IReadOnlyList<WebhookDeliveryView>>> ListDeliveriesAsync(int take = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireAsync(db, cancellationToken, SaveAlertSettings.Editors);
        if (!member.IsSuccess) return member.Error;
        var rows = await db.Set<WebhookDelivery>().AsNoTracking().OrderByDescending(d => d.CreatedAt).Take(Math.Clamp(take, 1, 200))
            .Select(d => new WebhookDeliveryView(d.Id, d.Event, d.Url, d.Status, d.Attempts, d.LastStatusCode, d.LastError, d.CreatedAt, d.LastAttemptAt, d.DeliveredAt, d.NextAttemptAt))
            .ToListAsync(cancellationToken);
        return Result<IReadOnlyList<WebhookDeliveryView>>.Success(rows);
    }

    private static Money? Opt(long? microYuan) => microYuan is { } m ? new Money(m) : null;
}
