using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Tenants;
using Portal.Core.Localization;

namespace Portal.Core.Features.Payments.BankTransfer;

/// <summary>
/// A tenant announces a corporate transfer: it gets the platform's receiving account and a unique remittance code
/// to write in the memo, valid <see cref="BankTransferOptions.ValidityDays"/>. Owners, Admins and Finance; refused
/// until the tenant's real-name verification is approved.
/// </summary>
public static class CreateBankTransfer
{
    public sealed record Command(Money Amount);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l, IOptionsMonitor<BankTransferOptions> options)
        {
            // Read per check: the settings page can change the limits while the app runs.
            RuleFor(c => c.Amount).Cascade(CascadeMode.Stop)
                .Must(a => a.IsWholeFen).WithMessage(l["Enter an amount in yuan with at most two decimals."])
                .Must(a => a >= options.CurrentValue.Minimum && a <= options.CurrentValue.Maximum)
                .WithMessage(_ => string.Format(l["Transfers must be between {0} and {1}."], options.CurrentValue.Minimum.ToDisplay(), options.CurrentValue.Maximum.ToDisplay()));
        }
    }

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        TenantAccess access,
        IKycGate kyc,
        IValidator<Command> validator,
        AuditLog audit,
        IOptionsMonitor<BankTransferOptions> options,
        TimeProvider clock)
    {
        /// <summary>Null when the caller may announce a transfer now; otherwise why not (configuration, role or verification).</summary>
        public async Task<Error?> CheckAllowedAsync(CancellationToken cancellationToken = default)
        {
            if (!options.CurrentValue.IsConfigured) return BankTransferErrors.NotConfigured;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, CreateTopUp.PayingRoles);
            if (!member.IsSuccess) return member.Error;
            return await kyc.CheckAsync(member.Value!.TenantId, cancellationToken);
        }

        public async Task<Result<BankTransferView>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (!options.CurrentValue.IsConfigured) return BankTransferErrors.NotConfigured;
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, CreateTopUp.PayingRoles);
            if (!member.IsSuccess) return member.Error!;
            if (await kyc.CheckAsync(member.Value!.TenantId, cancellationToken) is { } notVerified) return notVerified;

            for (var attempt = 0; ; attempt++)
            {
                var now = clock.GetUtcNow();
                var order = new BankTransferOrder
                {
                    Id = Ids.New(),
                    TenantId = member.Value.TenantId,
                    RemittanceCode = RemittanceCodes.New(),
                    AmountMicroYuan = command.Amount.MicroYuan,
                    Status = BankTransferStatus.Pending,
                    CreatedByUserId = member.Value.UserId,
                    CreatedAt = now,
                    ExpiresAt = now + options.CurrentValue.Validity,
                };
                db.BankTransferOrders.Add(order);
                audit.Add(db, "payments.bank_transfer_started", nameof(BankTransferOrder), order.Id, LocalizedText.Encode("{0} {1}", order.RemittanceCode, command.Amount.ToDisplay()), order.TenantId);
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    return BankTransferView.From(order);
                }
                catch (DbUpdateException e) when (attempt < 5 && DbErrors.IsUniqueViolation(e))
                {
                    // NOTE: the unique index on remittance_code decides; a colliding random code is simply drawn again.
                    db.ChangeTracker.Clear();
                }
            }
        }
    }
}
