using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Localization;

namespace Portal.Core.Features.Wallet;

/// <summary>An operator grants, changes or withdraws a tenant's 月结 credit limit. PlatformFinance or PlatformAdmin; audited.</summary>
public static class SetCreditLimit
{
    public sealed record Command(Guid TenantId, Money CreditLimit, string Memo);

    public static readonly Error BelowDebt = new("Wallet.CreditLimitBelowDebt", "The wallet is already in debt beyond this credit limit; settle the debt first.");

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.CreditLimit).Must(a => a >= Money.Zero && a.MicroYuan < 100_000_000_000_000).WithMessage(l["The credit limit must be zero or more."]);
            RuleFor(c => c.Memo).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage(l["Enter a memo explaining the change."])
                .MaximumLength(500).WithMessage(l["The memo is too long."]);
        }
    }

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, OperatorAccess access, IValidator<Command> validator, Ledger ledger, AuditLog audit, TimeProvider clock)
    {
        public async Task<Result<Money>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireFinanceAsync(db, cancellationToken);
            if (!actor.IsSuccess) return actor.Error!;
            if (!await db.Tenants.AnyAsync(t => t.Id == command.TenantId, cancellationToken)) return Error.NotFound("Tenant");
            var walletId = await ledger.EnsureWalletAsync(db, command.TenantId, cancellationToken);
            using var platform = db.EnterPlatformScope();
            var limit = command.CreditLimit.MicroYuan;

            for (var attempt = 0; attempt < 5; attempt++)
            {
                var previous = await db.Wallets.IgnoreTenantFilter().Where(w => w.Id == walletId).Select(w => w.CreditLimitMicroYuan).SingleAsync(cancellationToken);
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                // NOTE: optimistic on the limit just read (so the audit's "before" is true) and conditional on the
                // balance, in one statement: a concurrent debit or limit change makes it match no row.
                var updated = await db.Wallets.IgnoreTenantFilter()
                    .Where(w => w.Id == walletId && w.CreditLimitMicroYuan == previous && w.BalanceMicroYuan + limit >= 0)
                    .ExecuteUpdateAsync(s => s.SetProperty(w => w.CreditLimitMicroYuan, limit).SetProperty(w => w.UpdatedAt, clock.GetUtcNow()), cancellationToken);
                if (updated == 0)
                {
                    await transaction.RollbackAsync(cancellationToken);
                    var balance = await db.Wallets.IgnoreTenantFilter().Where(w => w.Id == walletId).Select(w => w.BalanceMicroYuan).SingleAsync(cancellationToken);
                    if (balance + limit < 0) return BelowDebt;
                    continue;
                }

                audit.Add(db, "wallet.credit_limit_set", nameof(Wallet), walletId,
                    LocalizedText.Encode("{0} → {1}: {2}", new Money(previous).ToDisplay(), command.CreditLimit.ToDisplay(), command.Memo.Trim()), command.TenantId);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return command.CreditLimit;
            }

            return new Error("Wallet.Busy", "The wallet changed while saving; try again.");
        }
    }
}
