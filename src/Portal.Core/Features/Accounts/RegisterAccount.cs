using System.Text;
using FluentValidation;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Notifications;
using Portal.Core.Features.Tenants;
using Portal.Core.Localization;

namespace Portal.Core.Features.Accounts;

/// <summary>
/// Sign-up: a new user and, unless they were invited, a new tenant with them as its Owner — all in one
/// transaction, with the confirmation email in the outbox. Invited users skip the tenant and the email:
/// the invitation link already proved their address.
/// </summary>
public static class RegisterAccount
{
    public sealed record Command(string Email, string Password, string DisplayName, string? TenantName, TenantKind TenantKind, string? InviteToken = null, string Culture = "zh-CN");

    public sealed record Registered(Guid UserId, Guid? TenantId, bool NeedsEmailConfirmation);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.Email).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage(l["Enter an email address."])
                .MaximumLength(256).WithMessage(l["The email address is too long."])
                .EmailAddress().WithMessage(l["Enter a valid email address."]);
            RuleFor(c => c.Password).NotEmpty().WithMessage(l["Enter a password."]);
            RuleFor(c => c.DisplayName).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage(l["Enter your name."])
                .MaximumLength(100).WithMessage(l["The name is too long."]);
            When(c => string.IsNullOrEmpty(c.InviteToken), () =>
            {
                RuleFor(c => c.TenantName).Cascade(CascadeMode.Stop)
                    .NotEmpty().WithMessage(l["Enter the company name (or your own name for a personal account)."])
                    .Length(2, 100).WithMessage(l["The account name must be 2 to 100 characters."]);
                RuleFor(c => c.TenantKind).IsInEnum();
            });
        }
    }

    public sealed class Handler(
        PortalDbContext db,
        UserManager<PortalUser> userManager,
        IValidator<Command> validator,
        AcceptInvitation.Handler invitations,
        EmailOutbox outbox,
        EmailTemplates templates,
        AuditLog audit,
        IOptions<PortalOptions> options,
        TimeProvider clock)
    {
        public async Task<Result<Registered>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            var email = command.Email.Trim();
            var invited = !string.IsNullOrEmpty(command.InviteToken);
            if (invited)
            {
                var preview = await invitations.PreviewAsync(command.InviteToken!, cancellationToken);
                if (!preview.IsSuccess) return preview.Error!;
                if (preview.Value!.Status == InvitationStatus.Expired) return AcceptInvitation.Expired;
                if (preview.Value.Status != InvitationStatus.Pending) return AcceptInvitation.Used;
                if (!string.Equals(preview.Value.Email, email, StringComparison.OrdinalIgnoreCase)) return AcceptInvitation.WrongUser;
            }

            if (!invited && await userManager.FindByEmailAsync(email) is { } existing)
                return await AnswerForExistingAsync(existing, command.Password, cancellationToken);

            var now = clock.GetUtcNow();
            var user = new PortalUser
            {
                Id = Ids.New(),
                UserName = email,
                Email = email,
                DisplayName = command.DisplayName.Trim(),
                CreatedAt = now,
                EmailConfirmed = invited,
                Culture = EmailTemplates.NormalizeCulture(command.Culture),
            };

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var created = await userManager.CreateAsync(user, command.Password);
            if (!created.Succeeded)
            {
                await transaction.RollbackAsync(cancellationToken);
                // NOTE: a sign-up that passed the lookup above while another with the same address committed meets
                // Identity's duplicate check here and gets the existing-address answer (a truly simultaneous insert is
                // stopped by the unique index instead).
                if (!invited && created.Errors.Any(e => e.Code is "DuplicateEmail" or "DuplicateUserName")
                    && await userManager.FindByEmailAsync(email) is { } winner)
                    return await AnswerForExistingAsync(winner, command.Password, cancellationToken);
                return Error.Validation(created.Errors
                    .GroupBy(e => e.Code.Contains("Password", StringComparison.Ordinal) ? nameof(Command.Password) : nameof(Command.Email))
                    .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray()));
            }

            Guid? tenantId = null;
            using (db.EnterPlatformScope())
            {
                if (!invited)
                {
                    var tenant = new Tenant { Id = Ids.New(), Name = command.TenantName!.Trim(), Kind = command.TenantKind, CreatedAt = now };
                    db.Tenants.Add(tenant);
                    db.Memberships.Add(new Membership { Id = Ids.New(), TenantId = tenant.Id, UserId = user.Id, Role = TenantRole.Owner, JoinedAt = now });
                    user.CurrentTenantId = tenant.Id;
                    tenantId = tenant.Id;
                    audit.Add(db, "tenants.created", nameof(Tenant), tenant.Id, LocalizedText.Encode("{0} ({1}) created by {2}", tenant.Name, LocalizedText.Term(tenant.Kind), email), tenant.Id, (user.Id, email));

                    var code = await userManager.GenerateEmailConfirmationTokenAsync(user);
                    var link = ConfirmationLink(options.Value, user.Id, code);
                    outbox.Add(db, email, templates.ConfirmEmail(user.DisplayName, link, user.Culture), "ConfirmEmail");
                }

                await db.SaveChangesAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            return new Registered(user.Id, tenantId, !invited);
        }

        /// <summary>
        /// Sign-up with an address that already has an account answers exactly like a fresh sign-up (the password is
        /// still checked against the rules and hashed, so neither the answer nor its time tells the two apart), and the
        /// account holder gets an email saying someone tried; an unconfirmed holder gets a fresh confirmation link.
        /// </summary>
        private async Task<Result<Registered>> AnswerForExistingAsync(PortalUser existing, string password, CancellationToken cancellationToken)
        {
            var errors = new List<IdentityError>();
            foreach (var rule in userManager.PasswordValidators)
            {
                var check = await rule.ValidateAsync(userManager, new PortalUser { Email = existing.Email, UserName = existing.UserName }, password);
                errors.AddRange(check.Errors);
            }

            if (errors.Count > 0)
                return Error.Validation(new Dictionary<string, string[]> { [nameof(Command.Password)] = errors.Select(e => e.Description).ToArray() });
            _ = userManager.PasswordHasher.HashPassword(existing, password);

            var content = existing.EmailConfirmed
                ? templates.SignUpAttempt(existing.DisplayName, options.Value.Link("Account/Login"), existing.Culture)
                : templates.ConfirmEmail(existing.DisplayName, ConfirmationLink(options.Value, existing.Id, await userManager.GenerateEmailConfirmationTokenAsync(existing)), existing.Culture);
            outbox.Add(db, existing.Email!, content, existing.EmailConfirmed ? "SignUpAttempt" : "ConfirmEmail");
            await db.SaveChangesAsync(cancellationToken);
            return new Registered(Guid.Empty, null, NeedsEmailConfirmation: true);
        }

        /// <summary>Puts a fresh confirmation email in the outbox (the "resend" link).</summary>
        public async Task ResendConfirmationAsync(string email, CancellationToken cancellationToken = default)
        {
            var user = await userManager.FindByEmailAsync(email.Trim());
            // Say nothing either way to the caller: whether an address has an account is not public.
            if (user is null || user.EmailConfirmed) return;
            var code = await userManager.GenerateEmailConfirmationTokenAsync(user);
            outbox.Add(db, user.Email!, templates.ConfirmEmail(user.DisplayName, ConfirmationLink(options.Value, user.Id, code), user.Culture), "ConfirmEmail");
            await db.SaveChangesAsync(cancellationToken);
        }

        public static string ConfirmationLink(PortalOptions options, Guid userId, string code) =>
            options.Link($"Account/ConfirmEmail?userId={userId}&code={WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(code))}");
    }
}
