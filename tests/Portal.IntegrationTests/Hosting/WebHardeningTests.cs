using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Hosting;

/// <summary>CSRF, antiforgery failures, security headers, /metrics access and the fallback authorization policy.</summary>
public abstract partial class WebHardeningTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    public const string ScrapeToken = "test-scrape-token-0123456789";
    private const string Evil = "https://evil.example";

    private static readonly HashSet<string> BodyLess = ["/api/tenant/api-keys/{id:guid}/disable", "/api/tenant/api-keys/{id:guid}/enable", "/api/tenant/api-keys/{id:guid}/revoke",
        "/api/tenant/top-ups/{id:guid}/cancel", "/api/tenant/bank-transfers/{id:guid}/cancel", "/api/tenant/refunds/{id:guid}/cancel", "/api/tenant/invoices/{id:guid}/cancel"];

    [Fact]
    public async Task Form_posts_without_an_antiforgery_token_are_400_with_a_readable_page_not_500()
    {
        var client = await PortalClient.SignUpAsync(factory);
        foreach (var path in new[] { "/Account/SwitchTenant", "/Account/Logout", "/Account/Manage/Disable2fa" })
        {
            var response = await client.Http.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string> { ["tenantId"] = Guid.NewGuid().ToString(), ["returnUrl"] = "/" }));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode}");
            var page = await response.Content.ReadAsStringAsync();
            Assert.Contains("<h1>", page);
            Assert.Contains("data-status=\"400\"", page);
        }

        var anonymous = new PortalClient(factory);
        var login = await anonymous.Http.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string> { ["_handler"] = "login", ["Input.Email"] = "a@b.test" }));
        Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);

        // The refused logout did not sign the user out.
        Assert.Equal(HttpStatusCode.OK, (await client.Http.GetAsync("/api/tenant/members")).StatusCode);
    }

    [Fact]
    public async Task A_cross_site_request_to_every_state_changing_tenant_endpoint_is_refused()
    {
        var client = await PortalClient.SignUpAsync(factory);
        var endpoints = StateChangingApiEndpoints();
        Assert.Superset(BodyLess, endpoints.Select(e => e.Pattern).ToHashSet());
        foreach (var (method, pattern) in endpoints)
        {
            var url = RouteParameter().Replace(pattern, m => m.Value.Contains(":int") ? "2026" : Guid.NewGuid().ToString());
            // What a cross-site form can send: a simple content type, the browser's own headers.
            using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = new StringContent("{\"name\":\"x\"}", Encoding.UTF8, "text/plain") };
            request.Headers.Add("Origin", Evil);
            request.Headers.Add("Sec-Fetch-Site", "cross-site");
            var response = await client.Http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {pattern}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Cross_site_requests_change_nothing_and_same_origin_ones_work()
    {
        var (owner, _) = await factory.VerifiedTenantAsync("跨站测试科技有限公司");
        var created = await owner.PostJsonAsync("/api/tenant/api-keys", new { name = "部署" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var keyId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var topUp = await owner.StartTopUpAsync("100");
        var transfer = await owner.StartTransferAsync("5000");

        foreach (var path in new[] { $"/api/tenant/api-keys/{keyId}/disable", $"/api/tenant/api-keys/{keyId}/revoke", $"/api/tenant/top-ups/{topUp.Id}/cancel", $"/api/tenant/bank-transfers/{transfer.Id}/cancel" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(owner, HttpMethod.Post, path, null, ("Origin", Evil), ("Sec-Fetch-Site", "cross-site"))).StatusCode);
            // A browser without Fetch Metadata: the Origin alone decides.
            Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(owner, HttpMethod.Post, path, null, ("Origin", Evil))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(owner, HttpMethod.Post, path, null, ("Sec-Fetch-Site", "same-site"))).StatusCode);
        }

        var rename = await SendAsync(owner, HttpMethod.Put, $"/api/tenant/api-keys/{keyId}", JsonContent.Create(new { name = "被改名" }), ("Origin", Evil), ("Sec-Fetch-Site", "cross-site"));
        Assert.Equal(HttpStatusCode.Forbidden, rename.StatusCode);

        var key = await owner.GetJsonAsync<JsonElement>($"/api/tenant/api-keys/{keyId}");
        Assert.Equal(("部署", "Active"), (key.GetProperty("key").GetProperty("name").GetString(), key.GetProperty("key").GetProperty("state").GetString()));
        Assert.Equal("Pending", (await owner.TopUpAsync(topUp.Id)).Status.ToString());
        Assert.Equal("Pending", (await owner.TransferAsync(transfer.Id)).Status.ToString());

        // The portal's own pages: same origin, by Fetch Metadata or by Origin.
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(owner, HttpMethod.Post, $"/api/tenant/api-keys/{keyId}/disable", null, ("Origin", "http://localhost"), ("Sec-Fetch-Site", "same-origin"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(owner, HttpMethod.Post, $"/api/tenant/api-keys/{keyId}/enable", null, ("Origin", "http://localhost"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(owner, HttpMethod.Put, $"/api/tenant/api-keys/{keyId}", JsonContent.Create(new { name = "改名" }), ("Sec-Fetch-Site", "same-origin"))).StatusCode);
        Assert.Equal("改名", (await owner.GetJsonAsync<JsonElement>($"/api/tenant/api-keys/{keyId}")).GetProperty("key").GetProperty("name").GetString());

        // API keys on /v1 and Alipay's server-to-server notification are not cookie-authenticated: not refused.
        var relay = await SendAsync(owner, HttpMethod.Post, "/v1/chat/completions", new StringContent("{}", Encoding.UTF8, "application/json"), ("Origin", Evil), ("Sec-Fetch-Site", "cross-site"));
        Assert.Equal(HttpStatusCode.Unauthorized, relay.StatusCode);
        var notify = await SendAsync(new PortalClient(factory), HttpMethod.Post, "/payments/alipay/notify", new FormUrlEncodedContent([]), ("Origin", Evil), ("Sec-Fetch-Site", "cross-site"));
        Assert.NotEqual(HttpStatusCode.Forbidden, notify.StatusCode);
    }

    [Fact]
    public async Task Every_response_carries_the_security_headers_and_pages_have_no_inline_script()
    {
        var client = await PortalClient.SignUpAsync(factory);
        foreach (var path in new[] { "/", "/Account/Login", "/assets/css/portal.css", "/api/tenant/members", "/healthz", "/no-such-page" })
        {
            var response = await client.Http.GetAsync(path);
            var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self';", csp);
            Assert.Contains("frame-ancestors 'self'", csp);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("strict-origin-when-cross-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
            Assert.Contains("camera=()", Assert.Single(response.Headers.GetValues("Permissions-Policy")));
            // Served over plain http (the embedded default): no HSTS.
            Assert.False(response.Headers.Contains("Strict-Transport-Security"), path);
        }

        var relay = await client.Http.GetAsync("/v1/models");
        Assert.Equal("nosniff", Assert.Single(relay.Headers.GetValues("X-Content-Type-Options")));

        foreach (var path in new[] { "/", "/welcome", "/Account/Login", "/Account/Register" })
        {
            var html = await client.Http.GetStringAsync(path);
            var scripts = Regex.Matches(html, "<script(?<attrs>[^>]*)>(?<body>.*?)</script>", RegexOptions.Singleline);
            Assert.NotEmpty(scripts);
            Assert.All(scripts, s => Assert.True(s.Groups["attrs"].Value.Contains("src=", StringComparison.Ordinal) && s.Groups["body"].Value.Trim().Length == 0, $"{path}: inline script {s.Value}"));
            Assert.DoesNotMatch(" on[a-z]+=\"", html);
        }
    }

    [Fact]
    public async Task Metrics_need_a_platform_admin_or_the_scrape_token()
    {
        var anonymous = new PortalClient(factory);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Http.GetAsync("/metrics")).StatusCode);
        var tenantUser = await PortalClient.SignUpAsync(factory);
        Assert.Equal(HttpStatusCode.Forbidden, (await tenantUser.Http.GetAsync("/metrics")).StatusCode);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        wrong.Headers.Authorization = new("Bearer", ScrapeToken + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.Http.SendAsync(wrong)).StatusCode);

        using var scraper = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        scraper.Headers.Authorization = new("Bearer", ScrapeToken);
        var scraped = await anonymous.Http.SendAsync(scraper);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("http_server_request_duration", await scraped.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Every_endpoint_is_private_unless_marked_public_and_the_public_ones_answer_anonymously()
    {
        var routes = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        var publicRoutes = routes.Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null).Select(e => e.RoutePattern.RawText!).ToHashSet();
        var expectedPublic = new HashSet<string>
        {
            "/Account/Login", "/Account/Register", "/Account/RegisterConfirmation", "/Account/ConfirmEmail", "/Account/ForgotPassword",
            "/Account/ForgotPasswordConfirmation", "/Account/ResetPassword", "/Account/ResetPasswordConfirmation", "/Account/InvalidPasswordReset",
            "/Account/InvalidUser", "/Account/Lockout", "/Account/LoginWith2fa", "/Account/LoginWithRecoveryCode", "/Account/ResendEmailConfirmation",
            "/Account/AccessDenied", "/not-found", "/Error", "/invitations/accept", "/invoices/verify/{Code}", "/closures/verify/{Code}", "/closures/verify/{code}/certificate.pdf", "/culture/set", "/healthz", "/readyz",
            "/payments/alipay/notify", "/payments/wechatpay/notify", "/status", "/status.json", "/favicon.ico", "/welcome",
        };
        // Everything else that is public belongs to a family that authenticates itself or holds no data.
        var unexpected = publicRoutes.Where(p => !expectedPublic.Contains(p)
            && !p.StartsWith("/v1", StringComparison.Ordinal) && !p.StartsWith("/dashboard/billing/", StringComparison.Ordinal)
            && !p.StartsWith("/_simulator/alipay", StringComparison.Ordinal) && !p.StartsWith("/_simulator/wechatpay", StringComparison.Ordinal) && !p.StartsWith("/_blazor", StringComparison.Ordinal)
            && !IsStaticAsset(routes.First(r => r.RoutePattern.RawText == p))).ToList();
        Assert.True(unexpected.Count == 0, "public without being listed: " + string.Join(", ", unexpected));
        Assert.Superset(expectedPublic, publicRoutes);

        var anonymous = new PortalClient(factory);
        foreach (var path in new[] { "/Account/Login", "/Account/Register", "/Account/ForgotPassword", "/Account/ResendEmailConfirmation", "/Account/Lockout",
                     "/Account/AccessDenied", "/not-found", "/healthz", "/readyz", "/invoices/verify/AAAAAAAAAAAAAAAAAAAAAA", "/closures/verify/AAAAAAAAAAAAAAAAAAAAAA", "/invitations/accept?token=x", "/assets/css/portal.css", "/welcome" })
        {
            var response = await anonymous.Http.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {response.Headers.Location}");
        }

        // Every other GET endpoint without route values turns an anonymous visitor away.
        foreach (var route in routes.Where(r => r.Metadata.GetMetadata<IAllowAnonymous>() is null && !r.RoutePattern.RawText!.Contains('{')
                     && (r.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("GET") ?? true)))
        {
            var response = await anonymous.Http.GetAsync(route.RoutePattern.RawText);
            var turnedAway = response.StatusCode == HttpStatusCode.Unauthorized
                || (response.StatusCode == HttpStatusCode.Redirect && response.LocationPath()!.StartsWith("/Account/Login", StringComparison.Ordinal))
                || (route.RoutePattern.RawText == "/" && response.StatusCode == HttpStatusCode.Redirect && response.LocationPath() == "/welcome");
            Assert.True(turnedAway, $"{route.RoutePattern.RawText}: {(int)response.StatusCode}");
        }
    }

    private static bool IsStaticAsset(RouteEndpoint endpoint) => endpoint.Metadata.Any(m => m.GetType().Name.Contains("StaticAsset", StringComparison.Ordinal));

    private List<(string Method, string Pattern)> StateChangingApiEndpoints() =>
        factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Where(m => m is "POST" or "PUT" or "PATCH" or "DELETE").Select(m => (m, e.RoutePattern.RawText!)))
            .ToList();

    private static async Task<HttpResponseMessage> SendAsync(PortalClient client, HttpMethod method, string path, HttpContent? content, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        foreach (var (name, value) in headers) request.Headers.Add(name, value);
        return await client.Http.SendAsync(request);
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();
}

public sealed class WebHardeningPostgresFactory : PortalFactory
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    protected override async Task<string> CreateDatabaseAsync() => await (await PostgresServer.GetAsync()).CreateDatabaseAsync("portal_test");

    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Metrics:ScrapeToken", WebHardeningTests<WebHardeningPostgresFactory>.ScrapeToken);
}

public sealed class WebHardeningSqliteFactory : PortalFactory
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override Task<string> CreateDatabaseAsync() =>
        Task.FromResult($"Data Source={Path.Combine(Path.GetTempPath(), "portal-sqlite", Guid.NewGuid().ToString("N") + ".db")}");

    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Metrics:ScrapeToken", WebHardeningTests<WebHardeningSqliteFactory>.ScrapeToken);
}

public sealed class WebHardeningTestsOnPostgres(WebHardeningPostgresFactory factory) : WebHardeningTests<WebHardeningPostgresFactory>(factory);

public sealed class WebHardeningTestsOnSqlite(WebHardeningSqliteFactory factory) : WebHardeningTests<WebHardeningSqliteFactory>(factory);
