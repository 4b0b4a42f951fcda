using Portal.Core.Features.Audit;
using Portal.Core.Features.Tenants;
using Portal.Web.Hosting;

namespace Portal.Web.Endpoints;

/// <summary>
/// JSON API over the members use cases for the signed-in user's current tenant. Another tenant's
/// member, invitation or audit entry is a 404, exactly like an id that does not exist.
/// </summary>
public static class MembersApi
{
    public sealed record InviteRequest(string Email, TenantRole Role);

    public sealed record ChangeRoleRequest(TenantRole Role);

    public static WebApplication MapMembersApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/tenant").RequireAuthorization(Policies.TenantMember).DisableAntiforgery();

        api.MapGet("/members", async (MemberQueries q, CancellationToken ct) => (await q.ListAsync(ct)).ToHttp());
        api.MapGet("/members/{id:guid}", async (Guid id, MemberQueries q, CancellationToken ct) => (await q.GetAsync(id, ct)).ToHttp());
        api.MapPut("/members/{id:guid}/role", async (Guid id, ChangeRoleRequest body, ChangeMemberRole.Handler h, CancellationToken ct) =>
            (await h.HandleAsync(new ChangeMemberRole.Command(id, body.Role), ct)).ToHttp());
        api.MapDelete("/members/{id:guid}", async (Guid id, RemoveMember.Handler h, CancellationToken ct) =>
            (await h.HandleAsync(new RemoveMember.Command(id), ct)).ToHttp(_ => Results.NoContent()));

        api.MapGet("/invitations", async (MemberQueries q, CancellationToken ct) => (await q.ListInvitationsAsync(ct)).ToHttp());
        api.MapGet("/invitations/{id:guid}", async (Guid id, MemberQueries q, CancellationToken ct) => (await q.GetInvitationAsync(id, ct)).ToHttp());
        api.MapPost("/invitations", async (InviteRequest body, InviteMember.Handler h, CancellationToken ct) =>
            (await h.HandleAsync(new InviteMember.Command(body.Email, body.Role), ct)).ToHttp(v => Results.Created($"/api/tenant/invitations/{v.InvitationId}", v)));
        api.MapDelete("/invitations/{id:guid}", async (Guid id, RevokeInvitation.Handler h, CancellationToken ct) =>
            (await h.HandleAsync(new RevokeInvitation.Command(id), ct)).ToHttp(_ => Results.NoContent()));

        api.MapGet("/audit/{id:guid}", async (Guid id, AuditQueries q, CancellationToken ct) => (await q.GetForTenantAsync(id, ct)).ToHttp());
        return app;
    }
}
