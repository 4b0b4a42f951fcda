using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Tenants;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Hosting;

/// <summary>The portal behind a reverse proxy at 10.0.0.5, or anywhere in 10.1.0.0/16 or fd00:1::/32.</summary>
public static class BehindProxy
{
    public const string Proxy = "10.0.0.5";

    public static void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("ForwardedHeaders:KnownProxies:0", Proxy);
        builder.UseSetting("ForwardedHeaders:KnownNetworks:0", "10.1.0.0/16");
        builder.UseSetting("ForwardedHeaders:KnownNetworks:1", "fd00:1::/32");
    }
}

public sealed class BehindProxyPostgresFactory : PortalFactory
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    protected override async Task<string> CreateDatabaseAsync() => await (await PostgresServer.GetAsync()).CreateDatabaseAsync("portal_test");

    protected override void Configure(IWebHostBuilder builder) => BehindProxy.Configure(builder);
}

public sealed class BehindProxySqliteFactory : PortalFactory
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override Task<string> CreateDatabaseAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "portal-sqlite");
        Directory.CreateDirectory(dir);
        return Task.FromResult($"Data Source={Path.Combine(dir, Guid.NewGuid().ToString("N") + ".db")}");
    }

    protected override void Configure(IWebHostBuilder builder) => BehindProxy.Configure(builder);
}

/// <summary>
/// <c>ForwardedHeaders</c> configured: the relay (whose <c>/v1</c> endpoints skip the web pipeline), the audit log and
/// the request scheme see the client behind a listed proxy, and only behind a listed proxy. (With nothing configured the
/// header is ignored: <c>RelayTests.X_Forwarded_For_is_ignored_when_no_proxy_is_configured</c>.)
/// </summary>
public abstract class ForwardedHeadersTests<TFactory>(TFactory factory, FakeOpenAiUpstream upstream) : IClassFixture<TFactory>
    where TFactory : PortalFactory
{
    private const string Allowlisted = "203.0.113.0/24";

    private async Task<(Guid TenantId, string Secret, string Model)> AllowlistedKeyAsync()
    {
        var model = await factory.ModelAsync($"gpt-p-{Guid.NewGuid():N}"[..14], ModelKind.Chat, 2_500_000, 10_000_000,
            new ChannelSpec("ok", ChannelType.OpenAICompatible, upstream.BaseUrl("ok")));
        var (_, tenantId) = await factory.VerifiedTenantAsync();
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(100))).IsSuccess);
        var (secret, _) = await factory.KeyAsync(tenantId, k => k.AllowedIpRanges = [Allowlisted]);
        return (tenantId, secret, model);
    }

    /// <summary>A relay call arriving over a connection from <paramref name="connectedFrom"/> with the given X-Forwarded-For.</summary>
    private async Task<HttpResponseMessage> CallAsync(string secret, string model, string connectedFrom, string forwardedFor)
    {
        using var http = factory.RelayClient(secret, connectedFrom);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 20)) };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static async Task AssertIpRefusedAsync(HttpResponseMessage response, string address)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"expected 403, got {(int)response.StatusCode}: {text}");
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("ip_not_allowed", error.GetProperty("code").GetString());
        Assert.Contains(address, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Behind_a_known_proxy_the_key_allowlist_and_the_usage_record_see_the_forwarded_client()
    {
        var (tenantId, secret, model) = await AllowlistedKeyAsync();

        Assert.Equal(HttpStatusCode.OK, (await CallAsync(secret, model, BehindProxy.Proxy, "203.0.113.7")).StatusCode);
        await AssertIpRefusedAsync(await CallAsync(secret, model, BehindProxy.Proxy, "198.51.100.1"), "198.51.100.1");
        // A client that writes its own X-Forwarded-For gets the address the proxy saw appended; only that one counts.
        await AssertIpRefusedAsync(await CallAsync(secret, model, BehindProxy.Proxy, "203.0.113.99, 198.51.100.1"), "198.51.100.1");
        // Proxies anywhere in a listed network, IPv4 and IPv6, and a chain of two listed proxies.
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(secret, model, "10.1.2.3", "203.0.113.8")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(secret, model, "fd00:1::5", "203.0.113.9")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(secret, model, BehindProxy.Proxy, "203.0.113.10, 10.1.0.9")).StatusCode);

        await factory.SettleAsync();
        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(["203.0.113.10", "203.0.113.7", "203.0.113.8", "203.0.113.9"], usage.Select(u => u.ClientIp).Order());
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Forwarded_headers_from_an_address_that_is_not_a_known_proxy_are_ignored()
    {
        var (tenantId, secret, model) = await AllowlistedKeyAsync();

        await AssertIpRefusedAsync(await CallAsync(secret, model, "198.51.100.50", "203.0.113.7"), "198.51.100.50");
        await AssertIpRefusedAsync(await CallAsync(secret, model, "10.2.0.1", "203.0.113.7"), "10.2.0.1");
        await AssertIpRefusedAsync(await CallAsync(secret, model, "fd00:2::5", "203.0.113.7"), "fd00:2::5");
        // The loopback addresses ASP.NET trusts by default are not trusted unless listed.
        await AssertIpRefusedAsync(await CallAsync(secret, model, "127.0.0.1", "203.0.113.7"), "127.0.0.1");
        await AssertIpRefusedAsync(await CallAsync(secret, model, "::1", "203.0.113.7"), "::1");
        // A client inside the allowlist whose request was not forwarded is let in on its own address.
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(secret, model, "203.0.113.20", "198.51.100.1")).StatusCode);

        await factory.SettleAsync();
        Assert.Equal("203.0.113.20", Assert.Single(await factory.UsageAsync(tenantId)).ClientIp);
    }

    [Fact]
    public async Task Web_requests_behind_the_proxy_are_audited_with_the_client_address_and_keep_https()
    {
        var owner = await PortalClient.SignUpAsync(factory);
        owner.Http.DefaultRequestHeaders.Add(TestClientIp.Header, BehindProxy.Proxy);
        owner.Http.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7");
        Assert.Equal(HttpStatusCode.Created, (await owner.PostJsonAsync("/api/tenant/invitations", new { email = PortalClient.NewEmail("colleague"), role = nameof(TenantRole.Developer) })).StatusCode);
        await using (var db = await factory.DbAsync())
        {
            var tenantId = await factory.TenantOfAsync(owner.Email);
            var invited = await db.AuditEntries.IgnoreTenantFilter().SingleAsync(a => a.TenantId == tenantId && a.Action == "members.invited");
            Assert.Equal("203.0.113.7", invited.Ip);
        }

        // TLS ends at the proxy: X-Forwarded-Proto from the proxy makes the sign-in cookie Secure; from anyone else it does not.
        Assert.Contains("secure", await SignInCookieAsync(owner, BehindProxy.Proxy), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", await SignInCookieAsync(owner, "198.51.100.50"), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The Set-Cookie of the sign-in cookie when the owner signs in again over https as seen by <paramref name="connectedFrom"/>.</summary>
    private async Task<string> SignInCookieAsync(PortalClient owner, string connectedFrom)
    {
        var client = PortalClient.As(factory, owner.Email, owner.Password);
        client.Http.DefaultRequestHeaders.Add(TestClientIp.Header, connectedFrom);
        client.Http.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        // Seen as https, the form's antiforgery cookie is Secure, which the test's http cookie jar would not send back
        // (a browser talking https to the proxy would): pass it on by hand.
        var page = await client.Http.GetAsync("/Account/Login");
        var antiforgery = page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal)).Split(';')[0];
        var token = System.Text.RegularExpressions.Regex.Match(await page.Content.ReadAsStringAsync(), "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var post = new HttpRequestMessage(HttpMethod.Post, "/Account/Login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "login",
                ["Input.Email"] = owner.Email,
                ["Input.Password"] = owner.Password,
                ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            }),
        };
        post.Headers.Add("Cookie", antiforgery);
        var login = await client.Http.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        return login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("portal.auth=", StringComparison.Ordinal));
    }
}

public sealed class ForwardedHeadersTestsOnPostgres(BehindProxyPostgresFactory factory, FakeOpenAiUpstream upstream)
    : ForwardedHeadersTests<BehindProxyPostgresFactory>(factory, upstream), IClassFixture<FakeOpenAiUpstream>;

public sealed class ForwardedHeadersTestsOnSqlite(BehindProxySqliteFactory factory, FakeOpenAiUpstream upstream)
    : ForwardedHeadersTests<BehindProxySqliteFactory>(factory, upstream), IClassFixture<FakeOpenAiUpstream>;

/// <summary>A malformed <c>ForwardedHeaders</c> entry stops the portal at startup, naming the setting and why.</summary>
public sealed class ForwardedHeadersStartupTests
{
    private sealed class MalformedFactory : PortalFactory
    {
        public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

        protected override Task<string> CreateDatabaseAsync() =>
            Task.FromResult($"Data Source={Path.Combine(Path.GetTempPath(), "portal-sqlite", Guid.NewGuid().ToString("N") + ".db")}");

        protected override void Configure(IWebHostBuilder builder)
        {
            builder.UseSetting("ForwardedHeaders:KnownProxies:0", "10.0.0.5");
            builder.UseSetting("ForwardedHeaders:KnownProxies:1", "nginx.internal");
            builder.UseSetting("ForwardedHeaders:KnownProxies:2", "10.0.0.0/8");
            builder.UseSetting("ForwardedHeaders:KnownNetworks:0", "10.0.0.1/8");
            builder.UseSetting("ForwardedHeaders:KnownNetworks:1", "2001:db8::/129");
        }
    }

    [Fact]
    public async Task A_malformed_proxy_address_or_network_refuses_to_start_and_names_the_setting()
    {
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "portal-sqlite"));
        await using var factory = new MalformedFactory();
        var failure = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => ((IAsyncLifetime)factory).InitializeAsync());
        Assert.Contains("ForwardedHeaders:KnownProxies:1 'nginx.internal' is not a valid IP address", failure.Message);
        Assert.Contains("ForwardedHeaders:KnownProxies:2 '10.0.0.0/8' is a CIDR block; list blocks under ForwardedHeaders:KnownNetworks", failure.Message);
        Assert.Contains("ForwardedHeaders:KnownNetworks:0 '10.0.0.1/8'", failure.Message);
        Assert.Contains("did you mean 10.0.0.0/8?", failure.Message);
        Assert.Contains("ForwardedHeaders:KnownNetworks:1 '2001:db8::/129'", failure.Message);
        Assert.DoesNotContain("KnownProxies:0", failure.Message);
    }
}
