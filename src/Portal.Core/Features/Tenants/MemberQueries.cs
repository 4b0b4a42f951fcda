using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Tenants;

public sealed record MemberView(Guid Id, Guid UserId, string Email, string DisplayName, TenantRole Role, DateTimeOffset JoinedAt)
{
    public static MemberView From(Membership m) => new(m.Id, m.UserId, m.User!.Email ?? "", m.User.DisplayName, m.Role, m.JoinedAt);
}

public sealed record InvitationView(Guid Id, string Email, TenantRole Role, InvitationStatus Status, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>Read side of the members page and API. Everything is scoped by the tenant filter; a foreign id is simply not found.</summary>
public sealed class MemberQueries(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, TimeProvider clock)
{
    public async Task<Result<IReadOnlyList<MemberView>>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var actor = await access.RequireMemberAsync(db, cancellationToken);
        if (!actor.IsSuccess) return actor.Error!;
        var members = await db.Memberships.AsNoTracking().Include(m => m.User).ToListAsync(cancellationToken);
        return members.OrderBy(m => m.Role).ThenBy(m => m.User!.Email).Select(MemberView.From).ToList();
    }

    public async Task<Result<MemberView>> GetAsync(Guid membershipId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var actor = await access.RequireMemberAsync(db, cancellationToken);
        if (!actor.IsSuccess) return actor.Error!;
        var member = await db.Memberships.AsNoTracking().Include(m => m.User).FirstOrDefaultAsync(m => m.Id == membershipId, cancellationToken);
        return member is null ? Error.NotFound("Member") : MemberView.From(member);
    }

    public async Task<Result<IReadOnlyList<InvitationView>>> ListInvitationsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var actor = await access.RequireManagerAsync(db, cancellationToken);
        if (!actor.IsSuccess) return actor.Error!;
        var now = clock.GetUtcNow();
        var invitations = await db.Invitations.AsNoTracking().Where(i => i.AcceptedAt == null).ToListAsync(cancellationToken);
        return invitations.OrderByDescending(i => i.CreatedAt).Select(i => View(i, now)).ToList();
    }

    public async Task<Result<InvitationView>> GetInvitationAsync(Guid invitationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var actor = await access.RequireManagerAsync(db, cancellationToken);
        if (!actor.IsSuccess) return actor.Error!;
        var invitation = await db.Invitations.AsNoTracking().FirstOrDefaultAsync(i => i.Id == invitationId, cancellationToken);
        return invitation is null ? Error.NotFound("Invitation") : View(invitation, clock.GetUtcNow());
    }

    private static InvitationView View(Invitation i, DateTimeOffset now) => new(i.Id, i.Email, i.Role, i.StatusAt(now), i.CreatedAt, i.ExpiresAt);
}
