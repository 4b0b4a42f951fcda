using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Localization;

namespace Portal.Core.Features.Tenants;

/// <summary>
/// The signed-in user accepts an invitation sent to their email address: they become a member with the
/// invited role and the tenant becomes their current one. A token works once, until it expires or is revoked.
/// </summary>
public static class AcceptInvitation
{
    public sealed record Command(string Token);

    public sealed record Accepted(Guid TenantId, Guid MembershipId, TenantRole Role);

    public sealed record Preview(string TenantName, string Email, TenantRole Role, InvitationStatus Status, DateTimeOffset ExpiresAt);

    public static readonly Error Invalid = new("Tenants.InvitationInvalid", "This invitation link is not valid.");
    public static readonly Error Expired = new("Tenants.InvitationExpired", "This invitation has expired. Ask for a new one.");
    public static readonly Error Used = new("Tenants.InvitationUsed", "This invitation has already been used or was withdrawn.");
    public static readonly Error WrongUser = new("Tenants.InvitationForAnotherEmail", "This invitation was sent to another email address. Sign in with that address to accept it.");

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        ICurrentUser currentUser,
        AuditLog audit,
        TimeProvider clock)
    {
        /// <summary>What the accept page shows before the user decides; anonymous callers may ask.</summary>
        public async Task<Result<Preview>> PreviewAsync(string token, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var invitation = await FindAsync(db, token, cancellationToken);
            if (invitation is null) return Invalid;
            return new Preview(invitation.Tenant!.Name, invitation.Email, invitation.Role, invitation.StatusAt(clock.GetUtcNow()), invitation.ExpiresAt);
        }

        public async Task<Result<Accepted>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (currentUser.UserId is not { } userId) return Error.Forbidden("Sign in to accept the invitation.");
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            // The invitation belongs to the inviting tenant, not (yet) the user's current one.
            using var platform = db.EnterPlatformScope();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

            var invitation = await FindAsync(db, command.Token, cancellationToken);
            if (invitation is null) return Invalid;
            await TenantAccess.LockMembershipsAsync(db, invitation.TenantId, cancellationToken);
            await db.Entry(invitation).ReloadAsync(cancellationToken);

            var now = clock.GetUtcNow();
            switch (invitation.StatusAt(now))
            {
                case InvitationStatus.Expired: return Expired;
                case InvitationStatus.Accepted or InvitationStatus.Revoked: return Used;
            }

            var user = await db.Users.FirstAsync(u => u.Id == userId, cancellationToken);
            if (user.NormalizedEmail != invitation.NormalizedEmail) return WrongUser;

            var existing = await db.Memberships.IgnoreTenantFilter()
                .FirstOrDefaultAsync(m => m.TenantId == invitation.TenantId && m.UserId == userId, cancellationToken);
            if (existing is not null) return new Error("Tenants.AlreadyMember", "You are already a member of this tenant.");

            var membership = new Membership
            {
                Id = Ids.New(),
                TenantId = invitation.TenantId,
                UserId = userId,
                Role = invitation.Role,
                JoinedAt = now,
            };
            db.Memberships.Add(membership);
            invitation.AcceptedAt = now;
            invitation.AcceptedByUserId = userId;
            user.CurrentTenantId = invitation.TenantId;
            // Following an emailed link proves the address, even for an account created just now.
            user.EmailConfirmed = true;
            audit.Add(db, "members.joined", nameof(Membership), membership.Id, LocalizedText.Encode("{0} accepted the invitation as {1}", user.Email ?? "", LocalizedText.Term(invitation.Role)), invitation.TenantId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new Accepted(invitation.TenantId, membership.Id, invitation.Role);
        }

        private static Task<Invitation?> FindAsync(PortalDbContext db, string token, CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(token) || token.Length > 200) return Task.FromResult<Invitation?>(null);
            var hash = Tokens.Sha256Hex(token.Trim());
            // Token lookups cross tenants by design: the token itself is the capability.
            return db.Invitations.IgnoreTenantFilter().Include(i => i.Tenant)
                .FirstOrDefaultAsync(i => i.TokenHash == hash, cancellationToken);
        }
    }
}
