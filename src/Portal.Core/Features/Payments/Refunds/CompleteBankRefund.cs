using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Localization;

namespace Portal.Core.Features.Payments.Refunds;

/// <summary>
/// A finance user records that a refund part was paid by an outgoing bank transfer, with the bank's reference: a
/// bank part, or an Alipay part that Alipay refused. The wallet is debited for it once.
/// </summary>
public static class CompleteBankRefund
{
    public sealed record Command(Guid AllocationId, string BankReference);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.BankReference).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage(l["Enter the bank reference."])
                .MaximumLength(64).WithMessage(l["The bank reference is too long."]);
        }
    }

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, OperatorAccess access, IValidator<Command> validator, RefundPayouts payouts)
    {
        public async Task<Result<bool>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                var actor = await access.RequireFinanceAsync(db, cancellationToken);
                if (!actor.IsSuccess) return actor.Error!;
            }

            return await payouts.CompleteByBankAsync(command.AllocationId, command.BankReference, cancellationToken);
        }
    }
}

/// <summary>A finance user asks the rail (Alipay or WeChat Pay) again for a Pending or Failed part, with the same out_request_no.</summary>
public static class RetryAlipayRefund
{
    public sealed record Command(Guid AllocationId);

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, OperatorAccess access, RefundPayouts payouts)
    {
        public async Task<Result<bool>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
            {
                var actor = await access.RequireFinanceAsync(db, cancellationToken);
                if (!actor.IsSuccess) return actor.Error!;
            }

            return await payouts.PayRailAsync(command.AllocationId, includeFailed: true, cancellationToken);
        }
    }
}
