using System.Text.RegularExpressions;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Tenants;
using Portal.Core.Localization;

namespace Portal.Core.Features.Invoices;

/// <summary>
/// Saves the tenant's 开票信息. Owners and Finance; needs an approved verification, because the title must be the
/// verified company name (the verified real name for an individual) and the taxpayer id the verified 统一社会信用代码.
/// </summary>
public static partial class SaveInvoiceProfile
{
    public sealed record Command(string Title, string TaxpayerId, string Address, string Phone, string BankName, string BankAccount, string Email);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.Title).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage(l["Enter the invoice title."])
                .MaximumLength(200).WithMessage(l["The invoice title is too long."]);
            RuleFor(c => c.TaxpayerId).MaximumLength(20).WithMessage(l["The taxpayer id is too long."]);
            RuleFor(c => c.Address).MaximumLength(200).WithMessage(l["The address is too long."]);
            RuleFor(c => c.Phone).Cascade(CascadeMode.Stop)
                .MaximumLength(40).WithMessage(l["The phone number is too long."])
                .Must(p => string.IsNullOrWhiteSpace(p) || PhonePattern().IsMatch(p.Trim())).WithMessage(l["Enter a phone number, e.g. 021-68880000."]);
            RuleFor(c => c.BankName).MaximumLength(100).WithMessage(l["The bank name is too long."]);
            RuleFor(c => c.BankAccount).Cascade(CascadeMode.Stop)
                .MaximumLength(40).WithMessage(l["The account number is too long."])
                .Must(a => string.IsNullOrWhiteSpace(a) || AccountPattern().IsMatch(a.Trim())).WithMessage(l["Enter the account number in digits."]);
            RuleFor(c => c).Must(c => string.IsNullOrWhiteSpace(c.BankName) == string.IsNullOrWhiteSpace(c.BankAccount))
                .WithName(nameof(Command.BankAccount)).OverridePropertyName(nameof(Command.BankAccount))
                .WithMessage(l["Enter both the bank and the account number, or neither."]);
            RuleFor(c => c.Email).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage(l["Enter the email that receives invoices."])
                .MaximumLength(256).WithMessage(l["The email is too long."])
                .EmailAddress().WithMessage(l["Enter a valid email address."]);
        }
    }

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        TenantAccess access,
        IKycGate kyc,
        IValidator<Command> validator,
        ICurrentUser currentUser,
        AuditLog audit,
        IStringLocalizer<SharedResource> l,
        TimeProvider clock)
    {
        public async Task<Result<InvoiceProfile>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, InvoiceRoles.Allowed);
            if (!member.IsSuccess) return member.Error!;
            var tenantId = member.Value!.TenantId;
            if (await kyc.CheckAsync(tenantId, cancellationToken) is { } notVerified) return notVerified;
            var buyer = await VerifiedBuyer.FindAsync(db, tenantId, cancellationToken);
            if (buyer is null) return KycGateErrors.NotVerified;

            var fields = new Dictionary<string, string[]>();
            var title = command.Title.Trim();
            var taxpayerId = VerifiedBuyer.NormalizeId(command.TaxpayerId);
            if (!string.Equals(title, buyer.Name.Trim(), StringComparison.Ordinal))
            {
                fields[nameof(Command.Title)] = [string.Format(l[buyer.IsEnterprise
                    ? "The title must be the verified company name: {0}"
                    : "The title must be your verified real name: {0}"], buyer.Name)];
            }

            if (buyer.IsEnterprise && taxpayerId != VerifiedBuyer.NormalizeId(buyer.TaxpayerId))
                fields[nameof(Command.TaxpayerId)] = [string.Format(l["The taxpayer id must be the verified unified social credit code: {0}"], buyer.TaxpayerId)];
            if (!buyer.IsEnterprise && taxpayerId.Length > 0 && taxpayerId != VerifiedBuyer.NormalizeId(buyer.TaxpayerId))
                fields[nameof(Command.TaxpayerId)] = [l["Leave the taxpayer id empty or enter your verified ID card number."]];
            if (fields.Count > 0) return new ValidationError(fields);

            var now = clock.GetUtcNow();
            var profile = await db.InvoiceProfiles.FirstOrDefaultAsync(cancellationToken);
            var created = profile is null;
            profile ??= new InvoiceProfile { Id = Ids.New(), TenantId = tenantId };
            profile.Title = title;
            profile.TaxpayerId = taxpayerId;
            profile.Address = command.Address.Trim();
            profile.Phone = command.Phone.Trim();
            profile.BankName = command.BankName.Trim();
            profile.BankAccount = Regex.Replace(command.BankAccount, @"\s+", "");
            profile.Email = command.Email.Trim();
            profile.UpdatedAt = now;
            profile.UpdatedBy = currentUser.Name;
            if (created) db.InvoiceProfiles.Add(profile);
            audit.Add(db, "invoices.profile_saved", nameof(InvoiceProfile), profile.Id, LocalizedText.Encode("{0} {1} → {2}", profile.Title, profile.TaxpayerId, profile.Email), tenantId);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (created && DbErrors.IsUniqueViolation(e))
            {
                // NOTE: two first saves raced; the unique index on tenant_id kept one. Save again over it.
                return await HandleAsync(command, cancellationToken);
            }

            return profile;
        }
    }

    [GeneratedRegex(@"^[0-9+()\- ]{5,40}$")]
    private static partial Regex PhonePattern();

    [GeneratedRegex(@"^[0-9 ]{5,40}$")]
    private static partial Regex AccountPattern();
}
