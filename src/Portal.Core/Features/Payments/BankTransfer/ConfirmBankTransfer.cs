using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Localization;

namespace Portal.Core.Features.Payments.BankTransfer;

/// <summary>
/// A finance user (PlatformFinance or PlatformAdmin) confirms that a transfer arrived, with the amount actually
/// received and the bank's reference. A received amount different from the announced one needs
/// <see cref="Command.AcceptDifferentAmount"/>, and then what was received is credited.
/// </summary>
public static class ConfirmBankTransfer
{
    public sealed record Command(Guid TransferId, Money ReceivedAmount, string BankReference, bool AcceptDifferentAmount = false);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.ReceivedAmount).Cascade(CascadeMode.Stop)
                .Must(a => a > Money.Zero).WithMessage(l["Enter the amount received."])
                .Must(a => a.IsWholeFen).WithMessage(l["Enter an amount in yuan with at most two decimals."]);
            RuleFor(c => c.BankReference).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage(l["Enter the bank reference."])
                .MaximumLength(64).WithMessage(l["The bank reference is too long."]);
        }
    }

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, OperatorAccess access, IValidator<Command> validator, BankTransferSettlement settlement)
    {
        public async Task<Result<BankTransferView>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                var actor = await access.RequireFinanceAsync(db, cancellationToken);
                if (!actor.IsSuccess) return actor.Error!;
                var order = await db.BankTransferOrders.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(o => o.Id == command.TransferId, cancellationToken);
                if (order is null) return Error.NotFound("Transfer");
                if (order.Status != BankTransferStatus.Pending) return BankTransferErrors.NotPending;
                if (order.Amount != command.ReceivedAmount && !command.AcceptDifferentAmount) return BankTransferErrors.AmountDiffers;
            }

            return await settlement.ConfirmAsync(command.TransferId, command.ReceivedAmount, command.BankReference, cancellationToken);
        }
    }
}
