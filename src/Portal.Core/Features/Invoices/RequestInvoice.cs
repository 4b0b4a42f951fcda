using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Tenants;
using Portal.Core.Localization;

namespace Portal.Core.Features.Invoices;

/// <summary>
/// A tenant's Owner or Finance member asks for an invoice of <see cref="Command.Amount"/> (价税合计) from what is still
/// invoiceable. The tax split is computed here, once, at the configured rate, and stored with a copy of the profile.
/// </summary>
public static class RequestInvoice
{
    public sealed record Command(InvoiceType Type, Money Amount, string? Remarks = null);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.Amount).Cascade(CascadeMode.Stop)
                .Must(a => a > Money.Zero).WithMessage(l["Enter an amount above zero."])
                .Must(a => a.IsWholeFen).WithMessage(l["Enter an amount in yuan with at most two decimals."]);
            RuleFor(c => c.Remarks).MaximumLength(200).WithMessage(l["The remarks are too long."]);
            RuleFor(c => c.Type).IsInEnum();
        }
    }

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        TenantAccess access,
        IKycGate kyc,
        IValidator<Command> validator,
        ICurrentUser currentUser,
        AuditLog audit,
        IOptionsMonitor<InvoiceOptions> options,
        TimeProvider clock)
    {
        /// <summary>Null when the caller may request invoices now; otherwise why not (configuration, role or verification).</summary>
        public async Task<Error?> CheckAllowedAsync(CancellationToken cancellationToken = default)
        {
            if (!options.CurrentValue.IsConfigured) return InvoiceErrors.NotConfigured;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, InvoiceRoles.Allowed);
            if (!member.IsSuccess) return member.Error;
            return await kyc.CheckAsync(member.Value!.TenantId, cancellationToken);
        }

        /// <summary>The split the request would store, for the dialog to show before submitting.</summary>
        public TaxSplit Preview(Money amount) => TaxSplit.FromGross(Money.FromFen(amount.MicroYuan / Money.MicroPerFen), options.CurrentValue.TaxRateBasisPoints);

        public async Task<Result<Invoice>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (!options.CurrentValue.IsConfigured) return InvoiceErrors.NotConfigured;
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, InvoiceRoles.Allowed);
            if (!member.IsSuccess) return member.Error!;
            var tenantId = member.Value!.TenantId;
            if (await kyc.CheckAsync(tenantId, cancellationToken) is { } notVerified) return notVerified;

            var profile = await db.InvoiceProfiles.AsNoTracking().FirstOrDefaultAsync(cancellationToken);
            if (profile is null) return InvoiceErrors.NoProfile;
            var buyer = await VerifiedBuyer.FindAsync(db, tenantId, cancellationToken);
            if (buyer is null) return KycGateErrors.NotVerified;
            if (!buyer.Matches(profile)) return InvoiceErrors.ProfileOutdated;
            if (command.Type == InvoiceType.Special)
            {
                if (!buyer.IsEnterprise) return InvoiceErrors.SpecialNeedsEnterprise;
                if (!profile.IsCompleteForSpecial) return InvoiceErrors.SpecialNeedsCompleteProfile;
            }

            var split = TaxSplit.FromGross(command.Amount, options.CurrentValue.TaxRateBasisPoints);
            var now = clock.GetUtcNow();
            var invoice = new Invoice
            {
                Id = Ids.New(),
                TenantId = tenantId,
                Type = command.Type,
                Status = InvoiceStatus.Pending,
                AmountMicroYuan = split.Gross.MicroYuan,
                NetMicroYuan = split.Net.MicroYuan,
                TaxMicroYuan = split.Tax.MicroYuan,
                TaxRateBasisPoints = split.RateBasisPoints,
                ItemName = Invoice.DefaultItemName,
                BuyerTitle = profile.Title,
                BuyerTaxpayerId = profile.TaxpayerId,
                BuyerAddress = profile.Address,
                BuyerPhone = profile.Phone,
                BuyerBankName = profile.BankName,
                BuyerBankAccount = profile.BankAccount,
                RecipientEmail = profile.Email,
                Remarks = string.IsNullOrWhiteSpace(command.Remarks) ? null : command.Remarks.Trim(),
                RequestedByUserId = member.Value.UserId,
                RequestedBy = currentUser.Name,
                RequestedAt = now,
            };

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // NOTE: check-then-insert on money, closed by the wallet row lock: every request of this tenant (and every
            // ledger posting, refunds included) waits here until this transaction ends, so the invoiceable amount read
            // next cannot change before the new Pending invoice is committed. Two concurrent requests can never
            // invoice more than was paid.
            if (!await InvoiceableBreakdown.LockAsync(db, tenantId, cancellationToken)) return InvoiceErrors.ExceedsInvoiceable;
            var invoiceable = await InvoiceableBreakdown.ComputeAsync(db, tenantId, cancellationToken);
            if (command.Amount > invoiceable.Invoiceable) return InvoiceErrors.ExceedsInvoiceable;
            db.Invoices.Add(invoice);
            audit.Add(db, "invoices.requested", nameof(Invoice), invoice.Id,
                LocalizedText.Encode("{0} {1} (net {2} + tax {3}) {4}", LocalizedText.Term(invoice.Type), invoice.Amount.ToDisplay(), invoice.Net.ToDisplay(), invoice.Tax.ToDisplay(), invoice.BuyerTitle), tenantId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return invoice;
        }
    }
}
