using Portal.Core.Localization;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Notifications;

namespace Portal.Core.Features.Wallet;

/// <summary>
/// Nightly: checks Balance = Σ LedgerEntry − Σ charges for every wallet. A mismatch writes an audit entry, raises
/// an operator banner (<see cref="WalletInvariantAlert"/>) and emails every PlatformFinance user. Safe to run twice:
/// an open alert with the same figures is not raised again.
/// </summary>
public sealed class LedgerInvariantJob(
    IDbContextFactory<PortalDbContext> dbFactory,
    LedgerInvariant invariant,
    AuditLog audit,
    EmailOutbox outbox,
    EmailTemplates templates,
    TimeProvider clock,
    ILogger<LedgerInvariantJob> logger)
{
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        List<Guid> walletIds;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            walletIds = await db.Wallets.IgnoreTenantFilter().OrderBy(w => w.Id).Select(w => w.Id).ToListAsync(cancellationToken);
        }

        foreach (var walletId in walletIds) await CheckWalletAsync(walletId, cancellationToken);
    }

    /// <summary>Checks one wallet; returns the check (null when the wallet does not exist).</summary>
    public async Task<InvariantCheck?> CheckWalletAsync(Guid walletId, CancellationToken cancellationToken = default)
    {
        var check = await invariant.CheckAsync(walletId, cancellationToken);
        if (check is null || check.Holds) return check;

        logger.LogError("Ledger invariant broken for wallet {WalletId}: balance {Balance}, ledger says {Expected}", walletId, check.Balance, check.Expected);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        using var platform = db.EnterPlatformScope();
        var alreadyOpen = await db.WalletInvariantAlerts.AnyAsync(a => a.WalletId == walletId && a.AcknowledgedAt == null
            && a.BalanceMicroYuan == check.Balance.MicroYuan && a.ExpectedMicroYuan == check.Expected.MicroYuan, cancellationToken);
        if (alreadyOpen) return check;

        var tenantName = await db.Tenants.Where(t => t.Id == check.TenantId).Select(t => t.Name).FirstOrDefaultAsync(cancellationToken) ?? check.TenantId.ToString();
        var alert = new WalletInvariantAlert
        {
            Id = Ids.New(),
            TenantId = check.TenantId,
            WalletId = walletId,
            DetectedAt = clock.GetUtcNow(),
            BalanceMicroYuan = check.Balance.MicroYuan,
            ExpectedMicroYuan = check.Expected.MicroYuan,
        };
        db.WalletInvariantAlerts.Add(alert);
        audit.Add(db, "wallet.invariant_broken", nameof(Wallet), walletId,
            LocalizedText.Encode("{0}: balance {1}, ledger {2} − charges {3} = {4}", tenantName, check.Balance.ToDisplay(), check.LedgerSum.ToDisplay(), check.Charged.ToDisplay(), check.Expected.ToDisplay()), check.TenantId);
        var finance = await db.UserRoles.Join(db.Roles, ur => ur.RoleId, r => r.Id, (ur, r) => new { ur.UserId, r.Name })
            .Where(x => x.Name == OperatorRoles.PlatformFinance)
            .Join(db.Users, x => x.UserId, u => u.Id, (x, u) => u.Email!)
            .Distinct().ToListAsync(cancellationToken);
        foreach (var email in finance)
        {
            outbox.Add(db, email, templates.Notice("zh-CN", "Ledger invariant broken for {0}",
                "The wallet of {0} has a balance of {1}, but its ledger adds up to {2}. Open the operator console (Wallets) to investigate.",
                tenantName, check.Balance.ToDisplay(), check.Expected.ToDisplay()), "LedgerInvariant");
        }

        await db.SaveChangesAsync(cancellationToken);
        return check;
    }
}
