using Portal.Core.Localization;
using System.Globalization;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Kyc;

namespace Portal.Core.Features.Payments.BankTransfer;

/// <summary>
/// Finance (PlatformFinance or PlatformAdmin) uploads a bank statement CSV. <c>PreviewAsync</c> parses without
/// saving; <c>HandleAsync</c> refuses a file with any error whole, stores the incoming lines not seen before
/// (by 交易流水号) and enqueues <see cref="MatchBankStatementJob"/>.
/// </summary>
public static class ImportBankStatement
{
    public const int MaxBytes = 10 * 1024 * 1024;

    public sealed record Command(string FileName, byte[] Content);

    public sealed record Imported(Guid ImportId, int IncomingLines, int NewLines);

    public static readonly Error TooLarge = new("BankStatement.TooLarge", "The statement file is larger than 10 MB.");

    public static Error Refused(IReadOnlyList<StatementError> errors) =>
        new("BankStatement.Invalid", "The statement was refused: " + string.Join(" ", errors.Take(20).Select(e => e.Line > 0 ? $"Line {e.Line}: {e.Message}" : e.Message)));

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        OperatorAccess access,
        ICurrentUser currentUser,
        AuditLog audit,
        IBackgroundJobClient jobs,
        TimeProvider clock)
    {
        public async Task<Result<ParsedStatement>> PreviewAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (command.Content.Length > MaxBytes) return TooLarge;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireFinanceAsync(db, cancellationToken);
            if (!actor.IsSuccess) return actor.Error!;
            return BankStatementParser.Parse(command.Content);
        }

        public async Task<Result<Imported>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (command.Content.Length > MaxBytes) return TooLarge;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireFinanceAsync(db, cancellationToken);
            if (!actor.IsSuccess) return actor.Error!;
            var parsed = BankStatementParser.Parse(command.Content);
            if (!parsed.IsValid) return Refused(parsed.Errors);

            var import = new BankStatementImport
            {
                Id = Ids.New(),
                FileName = Path.GetFileName(command.FileName) is { Length: > 0 and <= 256 } name ? name : "statement.csv",
                ImportedAt = clock.GetUtcNow(),
                ImportedBy = currentUser.Name,
                IncomingLines = parsed.Rows.Count,
            };
            db.BankStatementImports.Add(import);
            await db.SaveChangesAsync(cancellationToken);

            var added = 0;
            var ids = parsed.Rows.Select(r => r.TransactionId).ToList();
            var known = (await db.BankStatementLines.Where(l => ids.Contains(l.TransactionId)).Select(l => l.TransactionId).ToListAsync(cancellationToken)).ToHashSet();
            foreach (var row in parsed.Rows.Where(r => !known.Contains(r.TransactionId)))
            {
                db.BankStatementLines.Add(new BankStatementLine
                {
                    Id = Ids.New(),
                    ImportId = import.Id,
                    LineNumber = row.Line,
                    TransactionId = row.TransactionId,
                    TransactedAt = row.TransactedAt,
                    AmountMicroYuan = row.Amount.MicroYuan,
                    CounterpartyName = row.CounterpartyName,
                    CounterpartyAccount = row.CounterpartyAccount,
                    Memo = row.Memo,
                    Status = BankStatementLineStatus.New,
                });
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    added++;
                }
                catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
                {
                    // NOTE: another import of the same statement stored this 交易流水号 meanwhile; the unique index
                    // keeps one copy and this one is skipped.
                    db.ChangeTracker.Clear();
                }
            }

            await db.BankStatementImports.Where(i => i.Id == import.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.NewLines, added), cancellationToken);
            audit.Add(db, "payments.bank_statement_imported", nameof(BankStatementImport), import.Id, LocalizedText.Encode("{0}: {1} incoming, {2} new", import.FileName, parsed.Rows.Count.ToString(CultureInfo.InvariantCulture), added.ToString(CultureInfo.InvariantCulture)), null);
            await db.SaveChangesAsync(cancellationToken);
            if (added > 0) jobs.Enqueue<MatchBankStatementJob>(j => j.RunAsync(CancellationToken.None));
            return new Imported(import.Id, parsed.Rows.Count, added);
        }
    }
}
