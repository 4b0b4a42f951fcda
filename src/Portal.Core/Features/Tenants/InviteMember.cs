using FluentValidation;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Notifications;
using Portal.Core.Localization;

namespace Portal.Core.Features.Tenants;

/// <summary>Invite someone by email to the current tenant with a role. Owners and Admins only; only an Owner may invite an Owner.</summary>
public static class InviteMember
{
    public sealed record Command(string Email, TenantRole Role);

    public sealed record Invited(Guid InvitationId, string Email, DateTimeOffset ExpiresAt);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.Email).Cascade(CascadeMode.Stop)
                .NotEmpty().WithMessage(l["Enter an email address."])
                .MaximumLength(256).WithMessage(l["The email address is too long."])
                .EmailAddress().WithMessage(l["Enter a valid email address."]);
            RuleFor(c => c.Role).IsInEnum();
        }
    }

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        IValidator<Command> validator,
        TenantAccess access,
        ILookupNormalizer normalizer,
        EmailOutbox outbox,
        EmailTemplates templates,
        AuditLog audit,
        IOptions<PortalOptions> options,
        ICurrentUser currentUser,
        TimeProvider clock)
    {
        public async Task<Result<Invited>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var access1 = await access.RequireManagerAsync(db, cancellationToken);
            if (!access1.IsSuccess) return access1.Error!;
            var inviter = access1.Value!;
            if (command.Role == TenantRole.Owner && inviter.Role != TenantRole.Owner)
                return new Error("Tenants.OnlyOwnerMayGrantOwner", "Only an Owner can make someone an Owner.");

            var email = command.Email.Trim();
            var normalized = normalizer.NormalizeEmail(email);
            var alreadyMember = await db.Memberships.AnyAsync(m => m.User!.NormalizedEmail == normalized, cancellationToken);
            if (alreadyMember) return new Error("Tenants.AlreadyMember", "This person is already a member of the tenant.");

            var now = clock.GetUtcNow();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // A fresh invitation replaces any pending one for the same address, so only the newest link works.
            var pending = await db.Invitations
                .Where(i => i.NormalizedEmail == normalized && i.AcceptedAt == null && i.RevokedAt == null)
                .ToListAsync(cancellationToken);
            foreach (var old in pending) old.RevokedAt = now;

            var token = Tokens.NewUrlToken();
            var tenant = await db.Tenants.AsNoTracking().FirstAsync(t => t.Id == inviter.TenantId, cancellationToken);
            var invitation = new Invitation
            {
                Id = Ids.New(),
                TenantId = inviter.TenantId,
                Email = email,
                NormalizedEmail = normalized,
                Role = command.Role,
                TokenHash = Tokens.Sha256Hex(token),
                InvitedByUserId = inviter.UserId,
                CreatedAt = now,
                ExpiresAt = now + options.Value.InvitationLifetime,
            };
            db.Invitations.Add(invitation);

            var link = options.Value.Link($"invitations/accept?token={Uri.EscapeDataString(token)}");
            outbox.Add(db, email, templates.Invitation(tenant.Name, currentUser.Name, command.Role.ToString(), link, System.Globalization.CultureInfo.CurrentUICulture.Name), "Invitation");
            audit.Add(db, "members.invited", nameof(Invitation), invitation.Id, LocalizedText.Encode("Invited {0} as {1}", email, LocalizedText.Term(command.Role)), inviter.TenantId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new Invited(invitation.Id, email, invitation.ExpiresAt);
        }
    }
}
