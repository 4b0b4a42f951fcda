using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Tenants;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Hosting;

/// <summary>Served at an https public URL: plain http is redirected, https answers carry HSTS, cookies are Secure.</summary>
public abstract class HttpsDeploymentTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    public const string PublicUrl = "https://portal.test";

    [Fact]
    public async Task Http_is_redirected_to_https_which_sends_HSTS_and_Secure_cookies()
    {
        var plain = new PortalClient(factory, new Uri("http://portal.test"));
        var redirected = await plain.Http.GetAsync("/Account/Login?returnUrl=%2F");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
        Assert.Equal("https://portal.test/Account/Login?returnUrl=%2F", redirected.Headers.Location!.ToString());

        var email = PortalClient.NewEmail("https");
        await using (var scope = factory.Scope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<RegisterAccount.Handler>()
                .HandleAsync(new RegisterAccount.Command(email, "Secret-Pass-123", "Tester", "安全传输科技有限公司", TenantKind.Company))).IsSuccess);
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            var user = (await users.FindByEmailAsync(email))!;
            await users.ConfirmEmailAsync(user, await users.GenerateEmailConfirmationTokenAsync(user));
        }

        var client = PortalClient.As(factory, email, "Secret-Pass-123", new Uri(PublicUrl));
        var page = await client.Http.GetAsync("/Account/Login");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("max-age=31536000", Assert.Single(page.Headers.GetValues("Strict-Transport-Security")));
        Assert.All(page.Headers.GetValues("Set-Cookie"), c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));

        var login = await client.LoginAsync();
        Assert.Equal("/", login.LocationPath());
        var authCookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith("portal.auth=", StringComparison.Ordinal));
        Assert.Contains("secure", authCookie, StringComparison.OrdinalIgnoreCase);

        var culture = await client.Http.GetAsync("/culture/set?culture=en&redirectUri=/");
        Assert.Contains("secure", Assert.Single(culture.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
    }
}

public sealed class HttpsPostgresFactory : PortalFactory
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    protected override async Task<string> CreateDatabaseAsync() => await (await PostgresServer.GetAsync()).CreateDatabaseAsync("portal_test");

    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Portal:PublicBaseUrl", HttpsDeploymentTests<HttpsPostgresFactory>.PublicUrl);
}

public sealed class HttpsSqliteFactory : PortalFactory
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override Task<string> CreateDatabaseAsync() =>
        Task.FromResult($"Data Source={Path.Combine(Path.GetTempPath(), "portal-sqlite", Guid.NewGuid().ToString("N") + ".db")}");

    protected override void Configure(IWebHostBuilder builder) => builder.UseSetting("Portal:PublicBaseUrl", HttpsDeploymentTests<HttpsSqliteFactory>.PublicUrl);
}

public sealed class HttpsDeploymentTestsOnPostgres(HttpsPostgresFactory factory) : HttpsDeploymentTests<HttpsPostgresFactory>(factory);

public sealed class HttpsDeploymentTestsOnSqlite(HttpsSqliteFactory factory) : HttpsDeploymentTests<HttpsSqliteFactory>(factory);
