using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Tenants;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Tenants;

public abstract class TenantIsolationTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    private sealed record Member(Guid Id, string Email);

    private sealed record Invited(Guid InvitationId);

    [Fact]
    public async Task Member_of_other_tenant_gets_404_for_members_invitations_and_audit_entries()
    {
        var alice = await PortalClient.SignUpAsync(factory, "甲公司");
        var bob = await PortalClient.SignUpAsync(factory, "乙公司");

        var bobMember = (await bob.GetJsonAsync<List<Member>>("/api/tenant/members")).Single();
        var invitation = await (await bob.PostJsonAsync("/api/tenant/invitations", new { email = PortalClient.NewEmail("x"), role = "Viewer" }))
            .Content.ReadFromJsonAsync<Invited>(PortalClient.Json);
        Guid bobAuditId;
        await using (var scope = factory.Scope())
        {
            var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            bobAuditId = await db.AuditEntries.IgnoreTenantFilter().Where(a => a.Action == "members.invited" && a.TargetId == invitation!.InvitationId.ToString()).Select(a => a.Id).SingleAsync();
        }

        // Bob sees his own objects...
        Assert.Equal(HttpStatusCode.OK, (await bob.Http.GetAsync($"/api/tenant/members/{bobMember.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bob.Http.GetAsync($"/api/tenant/invitations/{invitation!.InvitationId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await bob.Http.GetAsync($"/api/tenant/audit/{bobAuditId}")).StatusCode);

        // ...Alice gets exactly what a missing id gets.
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Http.GetAsync($"/api/tenant/members/{bobMember.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Http.GetAsync($"/api/tenant/invitations/{invitation.InvitationId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Http.GetAsync($"/api/tenant/audit/{bobAuditId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Http.GetAsync($"/api/tenant/members/{Guid.NewGuid()}")).StatusCode);

        // And cannot act on them either.
        Assert.Equal(HttpStatusCode.NotFound, (await alice.PutJsonAsync($"/api/tenant/members/{bobMember.Id}/role", new { role = "Viewer" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Http.DeleteAsync($"/api/tenant/members/{bobMember.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.Http.DeleteAsync($"/api/tenant/invitations/{invitation.InvitationId}")).StatusCode);
        var stillThere = await bob.GetJsonAsync<List<Member>>("/api/tenant/members");
        Assert.Single(stillThere);
    }

    [Fact]
    public async Task Writing_a_row_for_another_tenant_throws()
    {
        var alice = await PortalClient.SignUpAsync(factory, "丙公司");
        var bob = await PortalClient.SignUpAsync(factory, "丁公司");
        await using var scope = factory.Scope();
        var sp = scope.ServiceProvider;
        var db = await sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Guid aliceTenant, bobTenant, aliceUser;
        await using (var platform = await sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            aliceUser = await platform.Users.Where(u => u.Email == alice.Email).Select(u => u.Id).SingleAsync();
            aliceTenant = await platform.Users.Where(u => u.Email == alice.Email).Select(u => u.CurrentTenantId!.Value).SingleAsync();
            bobTenant = await platform.Users.Where(u => u.Email == bob.Email).Select(u => u.CurrentTenantId!.Value).SingleAsync();
        }

        sp.GetRequiredService<Portal.Core.Features.Accounts.CurrentUser>()
            .Use(Portal.Core.Features.Accounts.CurrentUser.For(aliceUser, alice.Email, aliceTenant));
        await using var asAlice = await sp.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.Equal(aliceTenant, asAlice.CurrentTenantId);
        Assert.Empty(await asAlice.Memberships.Where(m => m.TenantId == bobTenant).ToListAsync());

        asAlice.Memberships.Add(new Membership { Id = Ids.New(), TenantId = bobTenant, UserId = aliceUser, Role = TenantRole.Owner, JoinedAt = DateTimeOffset.UtcNow });
        await Assert.ThrowsAsync<TenancyViolationException>(() => asAlice.SaveChangesAsync());
    }
}

public sealed class TenantIsolationTestsOnPostgres(PostgresPortalFactory factory) : TenantIsolationTests<PostgresPortalFactory>(factory);

public sealed class TenantIsolationTestsOnSqlite(SqlitePortalFactory factory) : TenantIsolationTests<SqlitePortalFactory>(factory);
