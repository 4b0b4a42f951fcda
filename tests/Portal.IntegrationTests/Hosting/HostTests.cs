using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Demo;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Hosting;

public abstract class HostTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Fact]
    public async Task Health_and_readiness_answer()
    {
        var client = new PortalClient(factory);
        var health = await client.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("alive", JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());

        var ready = await client.Http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.Equal("ok", body.GetProperty("database").GetString());
    }

    [Fact]
    public async Task The_healthcheck_verb_probes_healthz_and_fails_when_nothing_answers()
    {
        Assert.Equal((true, "200"), await Portal.Web.Hosting.HealthProbe.ProbeAsync(new Uri("http://localhost/healthz"), factory.Server.CreateHandler()));

        var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        Assert.Equal(1, await Portal.Web.Hosting.HealthProbe.RunAsync(["healthcheck", "--url", $"http://127.0.0.1:{port}"]));
    }

    [Theory]
    [InlineData(null, null, "http://localhost:8080/healthz")]
    [InlineData("http://+:8080", null, "http://localhost:8080/healthz")]
    [InlineData("https://+:443;http://*:5080", null, "http://localhost:5080/healthz")]
    [InlineData("http://[::]:9000", null, "http://localhost:9000/healthz")]
    [InlineData("http://10.0.0.5:7000/", null, "http://10.0.0.5:7000/healthz")]
    [InlineData(null, "8081;8082", "http://localhost:8081/healthz")]
    public void The_healthcheck_verb_finds_the_address_kestrel_listens_on(string? urls, string? ports, string expected) =>
        Assert.Equal(expected, Portal.Web.Hosting.HealthProbe.Target(["healthcheck"], urls, ports).ToString());

    [Fact]
    public async Task Relay_paths_answer_in_OpenAI_error_shape()
    {
        var client = new PortalClient(factory);
        var response = await client.Http.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(response.Headers.Contains("x-request-id"));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());

        var unknown = await client.Http.GetAsync("/v1/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("unknown_url", JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Seed_demo_is_idempotent_and_its_user_can_sign_in()
    {
        IReadOnlyList<string> first, second;
        await using (var scope = factory.Scope()) first = await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync();
        await using (var scope = factory.Scope()) second = await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync();
        // Everything but the lines that carry the demo API key (a fresh one each run) is the same the second time.
        static IEnumerable<string> Stable(IEnumerable<string> lines) => lines.Where(l => !l.Contains("sk-cn-", StringComparison.Ordinal));
        Assert.Equal(Stable(first), Stable(second));
        var user = first.Single(l => l.StartsWith("DEMO_USER=", StringComparison.Ordinal))["DEMO_USER=".Length..];
        var password = first.Single(l => l.StartsWith("DEMO_PASSWORD=", StringComparison.Ordinal))["DEMO_PASSWORD=".Length..];

        var demo = PortalClient.As(factory, user, password);
        Assert.Equal("/", (await demo.LoginAsync()).LocationPath());
        var members = await demo.GetJsonAsync<List<JsonElement>>("/api/tenant/members");
        Assert.Single(members);
    }

    [Fact]
    public async Task A_user_in_two_tenants_switches_the_current_one()
    {
        var owner = await PortalClient.SignUpAsync(factory, "第一家公司");
        var other = await PortalClient.SignUpAsync(factory, "第二家公司");
        await other.PostJsonAsync("/api/tenant/invitations", new { email = owner.Email, role = "Viewer" });
        var link = await owner.LatestLinkAsync("Invitation");
        var token = Uri.UnescapeDataString(link[(link.IndexOf("token=", StringComparison.Ordinal) + 6)..]);
        var accept = await owner.PostFormAsync($"/invitations/accept?token={Uri.EscapeDataString(token)}", "accept-invitation", new() { ["Input.Token"] = token });
        Assert.Equal(HttpStatusCode.Redirect, accept.StatusCode);

        // Accepting made the second tenant current: the member list is the second tenant's.
        var inSecond = await owner.GetJsonAsync<List<JsonElement>>("/api/tenant/members");
        Assert.Equal(2, inSecond.Count);

        // Switch back to the first tenant through the form the tenant switcher posts.
        var firstTenantId = await TenantIdOfAsync(owner.Email, "第一家公司");
        var switched = await SwitchAsync(owner, firstTenantId);
        Assert.Equal(HttpStatusCode.Redirect, switched.StatusCode);
        var inFirst = await owner.GetJsonAsync<List<JsonElement>>("/api/tenant/members");
        Assert.Single(inFirst);

        // A tenant the user does not belong to cannot be switched to.
        var foreign = await TenantIdOfAsync(other.Email, "第二家公司");
        var stranger = await PortalClient.SignUpAsync(factory, "第三家公司");
        Assert.Equal(HttpStatusCode.NotFound, (await SwitchAsync(stranger, foreign)).StatusCode);
    }

    private static async Task<HttpResponseMessage> SwitchAsync(PortalClient client, Guid tenantId)
    {
        // The switcher is a plain form with an antiforgery token, rendered on every page of the app.
        var page = await client.Http.GetStringAsync("/Account/Manage");
        var token = System.Text.RegularExpressions.Regex.Match(page, @"name=""__RequestVerificationToken"" value=""([^""]+)""").Groups[1].Value;
        return await client.Http.PostAsync("/Account/SwitchTenant", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["tenantId"] = tenantId.ToString(),
            ["returnUrl"] = "/",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
        }));
    }

    private async Task<Guid> TenantIdOfAsync(string email, string tenantName)
    {
        await using var scope = factory.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Memberships.IgnoreTenantFilter()
            .Where(m => m.User!.Email == email && m.Tenant!.Name == tenantName).Select(m => m.TenantId).SingleAsync();
    }
}

public sealed class HostTestsOnPostgres(PostgresPortalFactory factory) : HostTests<PostgresPortalFactory>(factory);

public sealed class HostTestsOnSqlite(SqlitePortalFactory factory) : HostTests<SqlitePortalFactory>(factory);
