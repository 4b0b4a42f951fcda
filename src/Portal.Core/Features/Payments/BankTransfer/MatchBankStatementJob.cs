using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Audit;

namespace Portal.Core.Features.Payments.BankTransfer;

/// <summary>
/// Matches New statement lines to Pending transfers: a remittance code found anywhere in the memo (case-insensitive,
/// spaces and punctuation ignored) and exactly the announced amount → confirmed through
/// <see cref="BankTransferSettlement"/> as <c>system</c>. Anything else (no code, several codes, an amount that
/// differs, a code already paid, cancelled or expired) goes to review for finance. Safe to run twice or concurrently.
/// </summary>
public sealed class MatchBankStatementJob(IDbContextFactory<PortalDbContext> dbFactory, BankTransferSettlement settlement, AuditLog audit, TimeProvider clock)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        List<BankStatementLine> lines;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            lines = await db.BankStatementLines.AsNoTracking().Where(l => l.Status == BankStatementLineStatus.New)
                .OrderBy(l => l.TransactedAt).ThenBy(l => l.LineNumber).Take(5000).ToListAsync(cancellationToken);
        }

        var credited = 0;
        foreach (var line in lines)
        {
            if (await MatchAsync(line, cancellationToken)) credited++;
        }

        return credited;
    }

    private async Task<bool> MatchAsync(BankStatementLine line, CancellationToken cancellationToken)
    {
        var normalized = RemittanceCodes.Normalize(line.Memo);
        var candidates = Enumerable.Range(0, Math.Max(0, normalized.Length - RemittanceCodes.Length + 1))
            .Select(i => normalized.Substring(i, RemittanceCodes.Length)).Where(RemittanceCodes.IsWellFormed).Distinct().ToList();
        List<BankTransferOrder> transfers;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            transfers = candidates.Count == 0 ? [] : await db.BankTransferOrders.IgnoreTenantFilter().AsNoTracking()
                .Where(o => candidates.Contains(o.RemittanceCode)).ToListAsync(cancellationToken);
        }

        if (transfers.Count == 0) return await ReviewAsync(line, "No remittance code in the memo.", null, cancellationToken);
        if (transfers.Count > 1) return await ReviewAsync(line, "Several remittance codes in the memo: " + string.Join(", ", transfers.Select(t => t.RemittanceCode)), null, cancellationToken);
        var transfer = transfers[0];
        if (transfer.Status == BankTransferStatus.Confirmed) return await AlreadyConfirmedAsync(line, transfer, cancellationToken);
        if (transfer.Status != BankTransferStatus.Pending || transfer.ExpiresAt <= clock.GetUtcNow())
            return await ReviewAsync(line, $"Code {transfer.RemittanceCode} is no longer valid ({(transfer.Status == BankTransferStatus.Pending ? BankTransferStatus.Expired : transfer.Status)}).", transfer.Id, cancellationToken);
        if (transfer.AmountMicroYuan != line.AmountMicroYuan)
            return await ReviewAsync(line, $"Amount {line.Amount.ToDisplay()} differs from the announced {transfer.Amount.ToDisplay()} of code {transfer.RemittanceCode}.", transfer.Id, cancellationToken);

        var confirmed = await settlement.ConfirmAsync(transfer.Id, line.Amount, line.TransactionId, cancellationToken);
        if (confirmed.IsSuccess)
        {
            await MarkCreditedAsync(line, transfer.Id, cancellationToken);
            return true;
        }

        if (confirmed.Error == BankTransferErrors.ReferenceUsed) return await ReviewAsync(line, "This bank line was already credited by hand.", transfer.Id, cancellationToken);
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            transfer = await db.BankTransferOrders.IgnoreTenantFilter().AsNoTracking().SingleAsync(o => o.Id == transfer.Id, cancellationToken);
        }

        return await AlreadyConfirmedAsync(line, transfer, cancellationToken);
    }

    // A Confirmed transfer is either this very line's credit (a concurrent matcher got there first) or another payment.
    private async Task<bool> AlreadyConfirmedAsync(BankStatementLine line, BankTransferOrder transfer, CancellationToken cancellationToken)
    {
        if (transfer.BankReference != line.TransactionId)
            return await ReviewAsync(line, $"Code {transfer.RemittanceCode} was already paid.", transfer.Id, cancellationToken);
        await MarkCreditedAsync(line, transfer.Id, cancellationToken);
        return false;
    }

    private async Task MarkCreditedAsync(BankStatementLine line, Guid transferId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.BankStatementLines.Where(l => l.Id == line.Id && l.Status == BankStatementLineStatus.New)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Status, BankStatementLineStatus.Credited).SetProperty(l => l.TransferId, transferId)
                .SetProperty(l => l.ResolvedBy, "system").SetProperty(l => l.ResolvedAt, clock.GetUtcNow()), cancellationToken);
    }

    private async Task<bool> ReviewAsync(BankStatementLine line, string detail, Guid? transferId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // NOTE: conditional on New: of two matchers running at once, one sets the line's outcome.
        var changed = await db.BankStatementLines.Where(l => l.Id == line.Id && l.Status == BankStatementLineStatus.New)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Status, BankStatementLineStatus.Review).SetProperty(l => l.Detail, detail).SetProperty(l => l.TransferId, transferId), cancellationToken);
        if (changed == 1)
        {
            audit.Add(db, "payments.bank_line_review", nameof(BankStatementLine), line.Id, LocalizedText.Encode("{0} {1}: {2}", line.TransactionId, line.Amount.ToDisplay(), detail), null);
            await db.SaveChangesAsync(cancellationToken);
        }

        return false;
    }
}
