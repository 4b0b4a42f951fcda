using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Hosting;

/// <summary>The throttles on sign-in, two-factor entry, sign-up, reset, resend, invitations and Alipay's notification, on the factory's clock.</summary>
public abstract class RateLimitTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    public static void Limits(IWebHostBuilder builder)
    {
        builder.UseSetting("RateLimits:Enabled", "true");
        foreach (var (name, perAddress, perAccount) in new[] { ("SignIn", 3, 2), ("TwoFactor", 5, 2), ("SignUp", 2, 2), ("PasswordReset", 2, 2), ("ConfirmationResend", 2, 2), ("Invitations", 10, 2), ("PaymentNotify", 3, 3) })
        {
            builder.UseSetting($"RateLimits:{name}:PerAddress", perAddress.ToString());
            builder.UseSetting($"RateLimits:{name}:PerAccount", perAccount.ToString());
            builder.UseSetting($"RateLimits:{name}:Window", name == "TwoFactor" ? "00:10:00" : "00:01:00");
        }
    }

    private static int _address;

    private static string NewAddress() => $"10.20.{Interlocked.Increment(ref _address) / 250}.{_address % 250 + 1}";

    private PortalClient From(string address, string? email = null)
    {
        var client = PortalClient.As(factory, email ?? PortalClient.NewEmail("nobody"), "Wrong-Pass-123");
        client.Http.DefaultRequestHeaders.Add(TestClientIp.Header, address);
        return client;
    }

    private static async Task AssertThrottledAsync(HttpResponseMessage response, bool json = false, int windowSeconds = 60)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var retryAfter = int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")));
        Assert.InRange(retryAfter, 1, windowSeconds);
        var body = await response.Content.ReadAsStringAsync();
        if (json) Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        else Assert.Contains("data-status=\"429\"", body);
    }

    [Fact]
    public async Task Sign_in_is_throttled_per_address_and_per_account_and_the_window_passes()
    {
        // One address spraying many emails: the fourth attempt within the minute is refused.
        var address = NewAddress();
        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await From(address).LoginAsync()).StatusCode);
        await AssertThrottledAsync(await From(address).LoginAsync());

        // One account attacked from many addresses: the third attempt is refused, whatever the address.
        var victim = PortalClient.NewEmail("victim");
        for (var i = 0; i < 2; i++) Assert.Equal(HttpStatusCode.OK, (await From(NewAddress(), victim).LoginAsync()).StatusCode);
        await AssertThrottledAsync(await From(NewAddress(), victim.ToUpperInvariant()).LoginAsync());

        // A minute later both may try again.
        factory.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.OK, (await From(address).LoginAsync()).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await From(NewAddress(), victim).LoginAsync()).StatusCode);
    }

    [Fact]
    public async Task Sign_up_password_reset_and_confirmation_resend_are_throttled_per_address_and_per_email()
    {
        foreach (var (path, form) in new[] { ("/Account/Register", "register"), ("/Account/ForgotPassword", "forgot-password"), ("/Account/ResendEmailConfirmation", "resend-email-confirmation") })
        {
            var address = NewAddress();
            for (var i = 0; i < 2; i++)
                Assert.NotEqual(HttpStatusCode.TooManyRequests, (await From(address).PostFormAsync(path, form, Fields(PortalClient.NewEmail("spray")))).StatusCode);
            await AssertThrottledAsync(await From(address).PostFormAsync(path, form, Fields(PortalClient.NewEmail("spray"))));

            var target = PortalClient.NewEmail("target");
            for (var i = 0; i < 2; i++) await From(NewAddress()).PostFormAsync(path, form, Fields(target));
            await AssertThrottledAsync(await From(NewAddress()).PostFormAsync(path, form, Fields(target)));
        }

        static Dictionary<string, string> Fields(string email) => new()
        {
            ["Input.Email"] = email,
            ["Input.Password"] = "Form-Pass-1234",
            ["Input.DisplayName"] = "测试",
            ["Input.Kind"] = "Company",
            ["Input.TenantName"] = "限流测试公司",
        };
    }

    [Fact]
    public async Task Two_factor_codes_are_throttled_per_user()
    {
        var user = await PortalClient.SignUpAsync(factory, clientIp: NewAddress());
        await using (var scope = factory.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            var account = (await users.FindByEmailAsync(user.Email))!;
            await users.ResetAuthenticatorKeyAsync(account);
            await users.SetTwoFactorEnabledAsync(account, true);
        }

        // Each attempt from a fresh address, a minute apart (so the password sign-in is never throttled): only the
        // per-user two-factor limit, over ten minutes, can stop the third.
        for (var i = 0; i <= 2; i++)
        {
            factory.Clock.Advance(TimeSpan.FromSeconds(61));
            var client = From(NewAddress(), user.Email);
            var login = await client.LoginAsync(user.Password);
            Assert.StartsWith("/Account/LoginWith2fa", login.LocationPath());
            var code = await client.PostFormAsync("/Account/LoginWith2fa", "login-with-2fa", new() { ["Input.TwoFactorCode"] = "000000" });
            if (i < 2) Assert.Equal(HttpStatusCode.OK, code.StatusCode);
            else await AssertThrottledAsync(code, windowSeconds: 600);
        }
    }

    [Fact]
    public async Task Invitations_are_throttled_per_inviting_user()
    {
        var owner = await PortalClient.SignUpAsync(factory, clientIp: NewAddress());
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.Created, (await owner.PostJsonAsync("/api/tenant/invitations", new { email = PortalClient.NewEmail("inv"), role = "Viewer" })).StatusCode);
        await AssertThrottledAsync(await owner.PostJsonAsync("/api/tenant/invitations", new { email = PortalClient.NewEmail("inv"), role = "Viewer" }), json: true);
    }

    [Fact]
    public async Task Alipay_notify_refuses_bodies_over_64_KB_and_is_throttled_per_address()
    {
        var big = await From(NewAddress()).Http.PostAsync("/payments/alipay/notify", new StringContent("notify_id=" + new string('x', 70_000), Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);

        var address = NewAddress();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await From(address).Http.PostAsync("/payments/alipay/notify", new FormUrlEncodedContent([new("notify_id", "x")]))).StatusCode);
        var throttled = await From(address).Http.PostAsync("/payments/alipay/notify", new FormUrlEncodedContent([new("notify_id", "x")]));
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.True(throttled.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task WeChat_Pay_notify_refuses_bodies_over_64_KB_and_is_throttled_per_address()
    {
        var big = await From(NewAddress()).Http.PostAsync("/payments/wechatpay/notify", new StringContent("{\"id\":\"" + new string('x', 70_000) + "\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);

        var address = NewAddress();
        for (var i = 0; i < 3; i++)
        {
            // Unsigned: refused by the verifier (4xx in APIv3's FAIL shape), but counted by the throttle.
            var refused = await From(address).Http.PostAsync("/payments/wechatpay/notify", new StringContent("{}", Encoding.UTF8, "application/json"));
            Assert.True((int)refused.StatusCode is >= 400 and < 500, $"unsigned notification answered {(int)refused.StatusCode}");
        }

        var throttled = await From(address).Http.PostAsync("/payments/wechatpay/notify", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.True(throttled.Headers.Contains("Retry-After"));
    }
}

public sealed class RateLimitPostgresFactory : PortalFactory
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    protected override async Task<string> CreateDatabaseAsync() => await (await PostgresServer.GetAsync()).CreateDatabaseAsync("portal_test");

    protected override void Configure(IWebHostBuilder builder) => RateLimitTests<RateLimitPostgresFactory>.Limits(builder);
}

public sealed class RateLimitSqliteFactory : PortalFactory
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override Task<string> CreateDatabaseAsync() =>
        Task.FromResult($"Data Source={Path.Combine(Path.GetTempPath(), "portal-sqlite", Guid.NewGuid().ToString("N") + ".db")}");

    protected override void Configure(IWebHostBuilder builder) => RateLimitTests<RateLimitSqliteFactory>.Limits(builder);
}

public sealed class RateLimitTestsOnPostgres(RateLimitPostgresFactory factory) : RateLimitTests<RateLimitPostgresFactory>(factory);

public sealed class RateLimitTestsOnSqlite(RateLimitSqliteFactory factory) : RateLimitTests<RateLimitSqliteFactory>(factory);
