using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Tenants;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Tenants;

public abstract class MembersTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    private sealed record Invited(Guid InvitationId, string Email, DateTimeOffset ExpiresAt);

    private sealed record Member(Guid Id, Guid UserId, string Email, string DisplayName, TenantRole Role);

    private sealed record Problem(string? Title, string? Detail, string? Code);

    [Fact]
    public async Task Invite_accept_and_role_change()
    {
        var owner = await PortalClient.SignUpAsync(factory, "协作科技有限公司");
        var inviteeEmail = PortalClient.NewEmail("invitee");

        var invite = await owner.PostJsonAsync("/api/tenant/invitations", new { email = inviteeEmail, role = "Developer" });
        Assert.Equal(HttpStatusCode.Created, invite.StatusCode);

        // The invitee follows the emailed link, creates an account from it and accepts.
        var invitee = PortalClient.As(factory, inviteeEmail, "Invitee-Pass-123");
        var link = await invitee.LatestLinkAsync("Invitation");
        var token = Uri.UnescapeDataString(link[(link.IndexOf("token=", StringComparison.Ordinal) + 6)..]);
        var register = await invitee.PostFormAsync($"/Account/Register?invite={Uri.EscapeDataString(token)}", "register", new()
        {
            ["Input.Email"] = inviteeEmail,
            ["Input.DisplayName"] = "新同事",
            ["Input.Password"] = invitee.Password,
            ["Input.Invite"] = token,
        });
        Assert.Equal(HttpStatusCode.Redirect, register.StatusCode);
        Assert.StartsWith("/invitations/accept", register.LocationPath());

        var accept = await invitee.PostFormAsync($"/invitations/accept?token={Uri.EscapeDataString(token)}", "accept-invitation", new() { ["Input.Token"] = token });
        Assert.Equal(HttpStatusCode.Redirect, accept.StatusCode);

        // The invitee now acts in the owner's tenant with the invited role.
        var seenByInvitee = await invitee.GetJsonAsync<List<Member>>("/api/tenant/members");
        Assert.Equal(2, seenByInvitee.Count);
        var newMember = seenByInvitee.Single(m => m.Email == inviteeEmail);
        Assert.Equal(TenantRole.Developer, newMember.Role);

        // A Developer cannot change roles; the Owner can.
        var refused = await invitee.PutJsonAsync($"/api/tenant/members/{newMember.Id}/role", new { role = "Admin" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var changed = await owner.PutJsonAsync($"/api/tenant/members/{newMember.Id}/role", new { role = "Finance" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var after = await owner.GetJsonAsync<Member>($"/api/tenant/members/{newMember.Id}");
        Assert.Equal(TenantRole.Finance, after.Role);

        // Every step is in the tenant's audit log.
        await using var scope = factory.Scope();
        var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var actions = await db.AuditEntries.IgnoreTenantFilter().Where(a => a.TenantId == after.Id || a.Summary.Contains(inviteeEmail)).Select(a => a.Action).ToListAsync();
        Assert.Contains("members.invited", actions);
        Assert.Contains("members.joined", actions);
        Assert.Contains("members.role_changed", actions);
    }

    [Fact]
    public async Task Reused_or_expired_invitation_is_refused_with_a_clear_message()
    {
        var owner = await PortalClient.SignUpAsync(factory);
        var first = PortalClient.NewEmail("late");
        Assert.Equal(HttpStatusCode.Created, (await owner.PostJsonAsync("/api/tenant/invitations", new { email = first, role = "Viewer" })).StatusCode);
        var invitee = PortalClient.As(factory, first, "Invitee-Pass-123");
        var link = await invitee.LatestLinkAsync("Invitation");
        var token = Uri.UnescapeDataString(link[(link.IndexOf("token=", StringComparison.Ordinal) + 6)..]);

        factory.Clock.Advance(TimeSpan.FromDays(8));
        await invitee.UseEnglishAsync();
        var page = await invitee.Http.GetStringAsync($"/invitations/accept?token={Uri.EscapeDataString(token)}");
        Assert.Contains("This invitation has expired", page);
        var register = await invitee.PostFormAsync($"/Account/Register?invite={Uri.EscapeDataString(token)}", "register", new()
        {
            ["Input.Email"] = first,
            ["Input.DisplayName"] = "Late",
            ["Input.Password"] = invitee.Password,
            ["Input.Invite"] = token,
        });
        Assert.Equal(HttpStatusCode.OK, register.StatusCode);
        Assert.Contains("This invitation has expired", await register.Content.ReadAsStringAsync());

        // A token that was never issued reads as invalid, not as someone else's invitation.
        Assert.Contains("This invitation link is not valid", await invitee.Http.GetStringAsync("/invitations/accept?token=guessed-token"));

        await using var scope = factory.Scope();
        var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.False(await db.Users.AnyAsync(u => u.Email == first), "a refused sign-up must leave no user behind");
    }

    [Fact]
    public async Task Inviting_an_existing_member_is_refused()
    {
        var owner = await PortalClient.SignUpAsync(factory);
        var response = await owner.PostJsonAsync("/api/tenant/invitations", new { email = owner.Email.ToUpperInvariant(), role = "Admin" });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Tenants.AlreadyMember", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Malformed_invitation_email_gets_a_field_error()
    {
        var owner = await PortalClient.SignUpAsync(factory);
        var response = await owner.PostJsonAsync("/api/tenant/invitations", new { email = "not-an-email", role = "Admin" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"Email\"", body);
    }

    [Fact]
    public async Task The_last_owner_cannot_be_removed_or_demoted()
    {
        var owner = await PortalClient.SignUpAsync(factory);
        var me = (await owner.GetJsonAsync<List<Member>>("/api/tenant/members")).Single();

        var demote = await owner.PutJsonAsync($"/api/tenant/members/{me.Id}/role", new { role = "Admin" });
        Assert.Equal(HttpStatusCode.Conflict, demote.StatusCode);
        Assert.Contains("Tenants.LastOwner", await demote.Content.ReadAsStringAsync());

        var remove = await owner.Http.DeleteAsync($"/api/tenant/members/{me.Id}");
        Assert.Equal(HttpStatusCode.Conflict, remove.StatusCode);
        Assert.Equal(TenantRole.Owner, (await owner.GetJsonAsync<Member>($"/api/tenant/members/{me.Id}")).Role);
    }

    [Fact]
    public async Task Two_owners_demoting_each_other_at_once_leave_one_owner()
    {
        var first = await PortalClient.SignUpAsync(factory);
        var secondEmail = PortalClient.NewEmail("second");
        await first.PostJsonAsync("/api/tenant/invitations", new { email = secondEmail, role = "Owner" });
        var second = PortalClient.As(factory, secondEmail, "Second-Pass-123");
        var link = await second.LatestLinkAsync("Invitation");
        var token = Uri.UnescapeDataString(link[(link.IndexOf("token=", StringComparison.Ordinal) + 6)..]);
        await second.PostFormAsync($"/Account/Register?invite={Uri.EscapeDataString(token)}", "register", new()
        {
            ["Input.Email"] = secondEmail,
            ["Input.DisplayName"] = "Second",
            ["Input.Password"] = second.Password,
            ["Input.Invite"] = token,
        });
        await second.PostFormAsync($"/invitations/accept?token={Uri.EscapeDataString(token)}", "accept-invitation", new() { ["Input.Token"] = token });

        var members = await first.GetJsonAsync<List<Member>>("/api/tenant/members");
        Assert.Equal(2, members.Count(m => m.Role == TenantRole.Owner));
        var a = members.Single(m => m.Email == first.Email);
        var b = members.Single(m => m.Email == secondEmail);

        var results = await Task.WhenAll(
            first.PutJsonAsync($"/api/tenant/members/{b.Id}/role", new { role = "Admin" }),
            second.PutJsonAsync($"/api/tenant/members/{a.Id}/role", new { role = "Admin" }));

        var owners = (await first.Http.GetFromJsonAsync<List<Member>>("/api/tenant/members", PortalClient.Json)
            ?? await second.Http.GetFromJsonAsync<List<Member>>("/api/tenant/members", PortalClient.Json))!;
        Assert.Single(owners, m => m.Role == TenantRole.Owner);
        Assert.Single(results, r => r.StatusCode == HttpStatusCode.OK);
    }
}

public sealed class MembersTestsOnPostgres(PostgresPortalFactory factory) : MembersTests<PostgresPortalFactory>(factory);

public sealed class MembersTestsOnSqlite(SqlitePortalFactory factory) : MembersTests<SqlitePortalFactory>(factory);
