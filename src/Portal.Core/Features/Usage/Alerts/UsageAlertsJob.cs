using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.ApiKeys;

namespace Portal.Core.Features.Usage.Alerts;

/// <summary>
/// Evaluates every tenant's thresholds against committed state (wallet balances, this month's roll-ups): low balance
/// crossing downward, monthly spend crossing upward, a key reaching 80 % of its monthly budget. Runs every minute and
/// is safe to run twice or concurrently: each alert fires once per crossing, because firing is claimed by a
/// conditional update (low balance: the armed flag) or by the unique (tenant, kind, key, period) index.
/// </summary>
public sealed class UsageAlertsJob(IDbContextFactory<PortalDbContext> dbFactory, AlertDispatch dispatch, TimeProvider clock, ILogger<UsageAlertsJob> logger)
{
    public const int KeyBudgetPercent = 80;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var fired = 0;
        fired += await LowBalanceAsync(cancellationToken);
        fired += await MonthlySpendAsync(cancellationToken);
        fired += await KeyBudgetsAsync(cancellationToken);
        return fired;
    }

    private async Task<int> LowBalanceAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        using var platform = db.EnterPlatformScope();
        var settings = db.Set<UsageAlertSettings>().IgnoreTenantFilter();
        var wallets = db.Wallets.IgnoreTenantFilter();

        // Re-arm every alert whose balance is back at or above its threshold (a top-up, an adjustment).
        await settings.Where(s => !s.LowBalanceArmed && s.LowBalanceThresholdMicroYuan != null
                                  && wallets.Any(w => w.TenantId == s.TenantId && w.BalanceMicroYuan >= s.LowBalanceThresholdMicroYuan))
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LowBalanceArmed, true), cancellationToken);

        var crossed = await settings.AsNoTracking()
            .Where(s => s.LowBalanceArmed && s.LowBalanceThresholdMicroYuan != null)
            .Join(wallets, s => s.TenantId, w => w.TenantId, (s, w) => new { s.TenantId, Threshold = s.LowBalanceThresholdMicroYuan!.Value, w.BalanceMicroYuan })
            .Where(x => x.BalanceMicroYuan < x.Threshold)
            .ToListAsync(cancellationToken);
        var fired = 0;
        foreach (var x in crossed)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: the claim is this conditional UPDATE: of two runners, one disarms and fires, the other matches no row.
            var claimed = await settings.Where(s => s.TenantId == x.TenantId && s.LowBalanceArmed)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.LowBalanceArmed, false).SetProperty(s => s.LowBalanceCrossings, s => s.LowBalanceCrossings + 1), cancellationToken);
            if (claimed == 0) continue;
            var current = await settings.AsNoTracking().SingleAsync(s => s.TenantId == x.TenantId, cancellationToken);
            await dispatch.FireAsync(db, Alert(x.TenantId, UsageAlertKind.LowBalance, Guid.Empty,
                "crossing-" + current.LowBalanceCrossings.ToString(CultureInfo.InvariantCulture), x.BalanceMicroYuan, x.Threshold), current, null, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
            fired++;
        }

        return fired;
    }

    private async Task<int> MonthlySpendAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        using var platform = db.EnterPlatformScope();
        var (first, last, period) = ThisMonth();
        var alerts = db.Set<UsageAlert>().IgnoreTenantFilter();
        var crossed = await db.Set<UsageAlertSettings>().IgnoreTenantFilter().AsNoTracking()
            .Where(s => s.MonthlySpendThresholdMicroYuan != null
                        && !alerts.Any(a => a.TenantId == s.TenantId && a.Kind == UsageAlertKind.MonthlySpend && a.Period == period))
            .Select(s => new
            {
                Settings = s,
                Spent = db.Set<UsageDaily>().IgnoreTenantFilter().Where(r => r.TenantId == s.TenantId && r.Day >= first && r.Day <= last).Sum(r => (long?)r.CostMicroYuan) ?? 0,
            })
            .Where(x => x.Spent >= x.Settings.MonthlySpendThresholdMicroYuan)
            .ToListAsync(cancellationToken);
        var fired = 0;
        foreach (var x in crossed)
        {
            var alert = Alert(x.Settings.TenantId, UsageAlertKind.MonthlySpend, Guid.Empty, period, x.Spent, x.Settings.MonthlySpendThresholdMicroYuan!.Value);
            if (await TryFireOnceAsync(db, alert, x.Settings, null, cancellationToken)) fired++;
        }

        return fired;
    }

    private async Task<int> KeyBudgetsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        using var platform = db.EnterPlatformScope();
        var (first, last, period) = ThisMonth();
        var alerts = db.Set<UsageAlert>().IgnoreTenantFilter();
        var settings = db.Set<UsageAlertSettings>().IgnoreTenantFilter();
        var crossed = await db.ApiKeys.IgnoreTenantFilter().AsNoTracking()
            .Where(k => k.MonthlyBudgetMicroYuan != null && k.MonthlyBudgetMicroYuan > 0 && k.Status != ApiKeyStatus.Revoked
                        && !settings.Any(s => s.TenantId == k.TenantId && !s.KeyBudgetAlerts)
                        && !alerts.Any(a => a.TenantId == k.TenantId && a.Kind == UsageAlertKind.KeyBudget && a.ApiKeyId == k.Id && a.Period == period))
            .Select(k => new
            {
                k.Id,
                k.TenantId,
                k.Name,
                Budget = k.MonthlyBudgetMicroYuan!.Value,
                Spent = db.Set<UsageDaily>().IgnoreTenantFilter().Where(r => r.TenantId == k.TenantId && r.ApiKeyId == k.Id && r.Day >= first && r.Day <= last).Sum(r => (long?)r.CostMicroYuan) ?? 0,
            })
            .Where(x => x.Spent * 100 >= x.Budget * KeyBudgetPercent)
            .ToListAsync(cancellationToken);
        var fired = 0;
        foreach (var x in crossed)
        {
            var tenantSettings = await settings.AsNoTracking().FirstOrDefaultAsync(s => s.TenantId == x.TenantId, cancellationToken);
            var alert = Alert(x.TenantId, UsageAlertKind.KeyBudget, x.Id, period, x.Spent, x.Budget);
            if (await TryFireOnceAsync(db, alert, tenantSettings, x.Name, cancellationToken)) fired++;
        }

        return fired;
    }

    /// <summary>NOTE: the unique (tenant, kind, key, period) index is the claim: a concurrent runner's insert fails and rolls back its messages.</summary>
    private async Task<bool> TryFireOnceAsync(PortalDbContext db, UsageAlert alert, UsageAlertSettings? settings, string? keyName, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        try
        {
            await dispatch.FireAsync(db, alert, settings, keyName, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException ex)
        {
            logger.LogInformation(ex, "Alert {Kind} for tenant {TenantId} period {Period} already fired", alert.Kind, alert.TenantId, alert.Period);
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    private UsageAlert Alert(Guid tenantId, UsageAlertKind kind, Guid apiKeyId, string period, long value, long threshold) => new()
    {
        Id = Ids.New(),
        TenantId = tenantId,
        Kind = kind,
        ApiKeyId = apiKeyId,
        Period = period,
        ValueMicroYuan = value,
        ThresholdMicroYuan = threshold,
        At = clock.GetUtcNow(),
    };

    private (int First, int Last, string Period) ThisMonth()
    {
        var (first, last) = UsageBuckets.MonthOf(ChinaTime.Today(clock));
        return (UsageBuckets.DayKey(first), UsageBuckets.DayKey(last), first.ToString("yyyyMM", CultureInfo.InvariantCulture));
    }
}
