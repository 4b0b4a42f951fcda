using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Localization;

namespace Portal.Core.Features.Wallet;

/// <summary>
/// An operator credits or debits a tenant's wallet by hand (goodwill credit, correction of a mistake), with a
/// mandatory memo. PlatformFinance or PlatformAdmin. Audited through the ledger.
/// </summary>
public static class PostAdjustment
{
    /// <param name="TenantId">Whose wallet.</param>
    /// <param name="Amount">Positive credits, negative debits.</param>
    /// <param name="Memo">Why; shown to the tenant in the wallet history.</param>
    /// <param name="RequestId">Chosen once per form, so a repeated submit or a retry posts once.</param>
    public sealed record Command(Guid TenantId, Money Amount, string Memo, Guid RequestId);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.Amount).Must(a => a != Money.Zero).WithMessage(l["Enter a non-zero amount."]);
            RuleFor(c => c.Amount).Must(a => a.MicroYuan is > -100_000_000_000_000 and < 100_000_000_000_000).WithMessage(l["The amount is too large."]);
            RuleFor(c => c.Memo).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage(l["Enter a memo explaining the adjustment."])
                .MaximumLength(500).WithMessage(l["The memo is too long."]);
            RuleFor(c => c.RequestId).NotEmpty();
        }
    }

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, OperatorAccess access, IValidator<Command> validator, Ledger ledger)
    {
        public async Task<Result<LedgerPostResult>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                var actor = await access.RequireFinanceAsync(db, cancellationToken);
                if (!actor.IsSuccess) return actor.Error!;
                if (!await db.Tenants.AnyAsync(t => t.Id == command.TenantId, cancellationToken)) return Error.NotFound("Tenant");
            }

            return await ledger.PostAsync(
                new LedgerPosting(command.TenantId, command.Amount, LedgerEntryKind.Adjustment, $"adjust:{command.RequestId:N}", command.Memo.Trim(), "wallet.adjusted"),
                cancellationToken: cancellationToken);
        }
    }
}
