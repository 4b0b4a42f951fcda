using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;

namespace Portal.Core.Features.Payments.BankTransfer;

public sealed record StatementLineView(
    Guid Id, Guid ImportId, int LineNumber, string TransactionId, DateTimeOffset TransactedAt, Money Amount, string CounterpartyName,
    string Memo, BankStatementLineStatus Status, string? Detail, string? RemittanceCode, string? ResolvedBy);

/// <summary>Statement imports and their lines for finance (PlatformFinance or PlatformAdmin).</summary>
public sealed class BankStatementQueries(IDbContextFactory<PortalDbContext> dbFactory, OperatorAccess access)
{
    public async Task<Result<IReadOnlyList<BankStatementImport>>> ListImportsAsync(int take = 50, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var actor = await access.RequireFinanceAsync(db, cancellationToken);
        if (!actor.IsSuccess) return actor.Error!;
        var imports = await db.BankStatementImports.AsNoTracking().OrderByDescending(i => i.ImportedAt).Take(Math.Clamp(take, 1, 500)).ToListAsync(cancellationToken);
        return Result<IReadOnlyList<BankStatementImport>>.Success(imports);
    }

    /// <summary>The lines of one import, or (no import) every line waiting for review, oldest first.</summary>
    public async Task<Result<IReadOnlyList<StatementLineView>>> ListLinesAsync(Guid? importId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var actor = await access.RequireFinanceAsync(db, cancellationToken);
        if (!actor.IsSuccess) return actor.Error!;
        var lines = db.BankStatementLines.AsNoTracking();
        lines = importId is { } id ? lines.Where(l => l.ImportId == id) : lines.Where(l => l.Status == BankStatementLineStatus.Review);
        var rows = await lines
            .GroupJoin(db.BankTransferOrders.IgnoreTenantFilter(), l => l.TransferId, t => (Guid?)t.Id, (l, ts) => new { l, ts })
            .SelectMany(x => x.ts.DefaultIfEmpty(), (x, t) => new { x.l, Code = t == null ? null : t.RemittanceCode })
            .OrderBy(x => x.l.TransactedAt).ThenBy(x => x.l.LineNumber).Take(2000)
            .ToListAsync(cancellationToken);
        return Result<IReadOnlyList<StatementLineView>>.Success(rows.Select(x => new StatementLineView(x.l.Id, x.l.ImportId, x.l.LineNumber, x.l.TransactionId, x.l.TransactedAt, x.l.Amount,
            x.l.CounterpartyName, x.l.Memo, x.l.Status, x.l.Detail, x.Code, x.l.ResolvedBy)).ToList());
    }
}
