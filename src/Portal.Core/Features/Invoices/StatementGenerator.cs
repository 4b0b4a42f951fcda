using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Usage;
using Portal.Core.Features.Wallet;

namespace Portal.Core.Features.Invoices;

/// <summary>
/// Builds a tenant's monthly statement from the ledger and the usage records, and keeps the rendered PDF and CSV of a
/// completed month. Opening and closing balances are Σ ledger − Σ usage wallet charges before the month's first and
/// last instant, so the statement reconciles exactly: opening + top-ups − refunds ± adjustments − plan purchases −
/// usage charged = closing, and one month's closing is the next month's opening.
/// </summary>
public sealed class StatementGenerator(
    IDbContextFactory<PortalDbContext> dbFactory,
    IFileStore files,
    InvoiceFont font,
    IExpiredPlanCreditSource expiredPlanCredit,
    IOptionsMonitor<BrandingOptions> branding,
    TimeProvider clock)
{
    /// <summary>The statement of <paramref name="year"/>-<paramref name="month"/> (China time) as of now.</summary>
    public async Task<StatementDocument> BuildAsync(PortalDbContext db, Guid tenantId, int year, int month, CancellationToken cancellationToken)
    {
        var start = StatementMonths.Start(year, month);
        var end = StatementMonths.End(year, month);
        var tenantName = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.Name).SingleAsync(cancellationToken);
        var ledger = db.LedgerEntries.IgnoreTenantFilter().Where(e => e.TenantId == tenantId);
        var usage = db.UsageRecords.IgnoreTenantFilter().Where(u => u.TenantId == tenantId);

        var opening = await BalanceBeforeAsync(ledger, usage, start, cancellationToken);
        var closing = await BalanceBeforeAsync(ledger, usage, end, cancellationToken);
        var byKind = await ledger.Where(e => e.At >= start && e.At < end)
            .GroupBy(e => e.Kind)
            .Select(g => new { Kind = g.Key, Sum = g.Sum(e => e.AmountMicroYuan) })
            .ToListAsync(cancellationToken);
        long Sum(LedgerEntryKind kind) => byKind.Where(k => k.Kind == kind).Sum(k => k.Sum);
        var topUps = Sum(LedgerEntryKind.TopUp);
        var refunds = -Sum(LedgerEntryKind.Refund);
        var planPurchases = -Sum(LedgerEntryKind.PlanPurchase);
        // SLA credits and volume rebates are listed one by one, each naming the month it is for (it is credited after
        // that month ends, so it appears on the statement of the month it was paid in).
        var credits = await ledger.Where(e => e.At >= start && e.At < end && (e.Kind == LedgerEntryKind.SlaCredit || e.Kind == LedgerEntryKind.VolumeRebate))
            .OrderBy(e => e.At).Select(e => new { e.Kind, e.At, e.AmountMicroYuan, e.Reference })
            .ToListAsync(cancellationToken);
        var serviceCredits = credits.Select(c => new StatementCredit(CreditLabel(c.Kind, c.Reference), c.At, new Money(c.AmountMicroYuan))).ToList();
        // 调整 is every other movement: manual adjustments and reversals (冲正), and any kind added later, so the
        // statement always reconciles to the ledger.
        var adjustments = byKind.Sum(k => k.Sum) - topUps + refunds + planPurchases - credits.Sum(c => c.AmountMicroYuan);

        var lines = await usage.Where(u => u.At >= start && u.At < end)
            .GroupBy(u => u.Model)
            .Select(g => new
            {
                Model = g.Key,
                Requests = g.Count(u => u.Status != UsageStatus.Failed),
                Input = g.Sum(u => u.InputTokens),
                Output = g.Sum(u => u.OutputTokens),
                Cost = g.Sum(u => u.CostMicroYuan),
                PlanCredit = g.Sum(u => u.PlanCreditUsedMicroYuan),
            })
            .ToListAsync(cancellationToken);
        var usageLines = lines
            .Where(l => l.Requests > 0 || l.Cost > 0)
            .OrderByDescending(l => l.Cost).ThenBy(l => l.Model, StringComparer.Ordinal)
            .Select(l => new StatementUsageLine(l.Model, l.Requests, l.Input, l.Output, new Money(l.Cost), new Money(l.PlanCredit)))
            .ToList();
        var expired = await expiredPlanCredit.ExpiredMicroYuanAsync(db, tenantId, start, end, cancellationToken);

        return new StatementDocument(
            TenantName: tenantName,
            TenantId: tenantId.ToString(),
            Year: year,
            Month: month,
            OpeningBalance: new Money(opening),
            TopUps: new Money(topUps),
            Refunds: new Money(refunds),
            Adjustments: new Money(adjustments),
            PlanPurchases: new Money(planPurchases),
            Usage: usageLines,
            ExpiredPlanCredit: new Money(expired),
            ClosingBalance: new Money(closing),
            GeneratedAt: clock.GetUtcNow(),
            PlatformName: branding.CurrentValue.PlatformName,
            Credits: serviceCredits);
    }

    /// <summary><c>SLA 补偿（2026-11）</c> / <c>用量返利（2026-11）</c>: the month comes from the entry's reference (<c>SLA-2026-11</c>).</summary>
    private static string CreditLabel(LedgerEntryKind kind, string? reference)
    {
        var month = reference is { Length: >= 7 } r ? r[^7..] : "";
        var name = kind == LedgerEntryKind.SlaCredit ? "SLA 补偿" : "用量返利";
        return month.Length == 0 ? name : $"{name}（{month}）";
    }

    private static async Task<long> BalanceBeforeAsync(IQueryable<LedgerEntry> ledger, IQueryable<UsageRecord> usage, DateTimeOffset instant, CancellationToken cancellationToken)
    {
        var credited = await ledger.Where(e => e.At < instant).SumAsync(e => (long?)e.AmountMicroYuan, cancellationToken) ?? 0;
        var charged = await usage.Where(u => u.At < instant).SumAsync(u => (long?)u.WalletChargedMicroYuan, cancellationToken) ?? 0;
        return credited - charged;
    }

    /// <summary>
    /// The stored statement of a completed month, generating (and storing) it on first use. Null for a month that has
    /// not ended yet. Safe to run concurrently and twice: the unique (tenant, year, month) index keeps one.
    /// </summary>
    public async Task<MonthlyStatement?> EnsureAsync(Guid tenantId, int year, int month, CancellationToken cancellationToken = default)
    {
        if (!StatementMonths.IsValid(year, month) || !StatementMonths.IsComplete(year, month, clock.GetUtcNow())) return null;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var existing = await FindAsync(db, tenantId, year, month, cancellationToken);
        if (existing is not null) return existing;

        var document = await BuildAsync(db, tenantId, year, month, cancellationToken);
        var pdf = StatementPdf.Render(document, font.Bytes);
        using var csv = new MemoryStream();
        StatementCsv.Write(document, csv);
        var pdfKey = await InvoiceFiles.StoreAsync(files, pdf, ".pdf", cancellationToken);
        var csvKey = await InvoiceFiles.StoreAsync(files, csv.ToArray(), ".csv", cancellationToken);
        var statement = new MonthlyStatement
        {
            Id = Ids.New(),
            TenantId = tenantId,
            Year = year,
            Month = month,
            OpeningMicroYuan = document.OpeningBalance.MicroYuan,
            ClosingMicroYuan = document.ClosingBalance.MicroYuan,
            PdfFileKey = pdfKey,
            CsvFileKey = csvKey,
            GeneratedAt = document.GeneratedAt,
        };
        using var platform = db.EnterPlatformScope();
        db.MonthlyStatements.Add(statement);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return statement;
        }
        catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
        {
            // NOTE: the job and a download generated the same month at once; the unique index kept the other one.
            db.ChangeTracker.Clear();
            await files.DeleteAsync(pdfKey, CancellationToken.None);
            await files.DeleteAsync(csvKey, CancellationToken.None);
            return await FindAsync(db, tenantId, year, month, cancellationToken);
        }
    }

    private static Task<MonthlyStatement?> FindAsync(PortalDbContext db, Guid tenantId, int year, int month, CancellationToken cancellationToken) =>
        db.MonthlyStatements.IgnoreTenantFilter().AsNoTracking()
            .FirstOrDefaultAsync(s => s.TenantId == tenantId && s.Year == year && s.Month == month, cancellationToken);
}
