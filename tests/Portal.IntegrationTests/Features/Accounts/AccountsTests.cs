using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Tenants;
using Portal.IntegrationTests.Infrastructure;
using Portal.TestSupport;

namespace Portal.IntegrationTests.Features.Accounts;

public abstract partial class AccountsTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Fact]
    public async Task Sign_up_through_the_form_creates_user_tenant_and_owner_and_requires_confirmation()
    {
        var client = new PortalClient(factory);
        var email = PortalClient.NewEmail("form");
        var response = await client.PostFormAsync("/Account/Register", "register", new()
        {
            ["Input.Email"] = email,
            ["Input.DisplayName"] = "王小明",
            ["Input.Password"] = "Form-Pass-1234",
            ["Input.Kind"] = "Company",
            ["Input.TenantName"] = "示例网络科技有限公司",
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/RegisterConfirmation", response.LocationPath());

        // Not confirmed yet: sign-in is refused with an explanation.
        var early = PortalClient.As(factory, email, "Form-Pass-1234");
        var refused = await early.LoginAsync();
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);

        await using var scope = factory.Scope();
        var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        Assert.False(user.EmailConfirmed);
        var membership = await db.Memberships.IgnoreTenantFilter().Include(m => m.Tenant).SingleAsync(m => m.UserId == user.Id);
        Assert.Equal(TenantRole.Owner, membership.Role);
        Assert.Equal("示例网络科技有限公司", membership.Tenant!.Name);
        Assert.Equal(user.CurrentTenantId, membership.TenantId);
    }

    [Theory]
    [InlineData("not-an-email", "Good-Pass-1234", "Email")]
    [InlineData("weak@example.test", "short", "Password")]
    [InlineData("weak2@example.test", "alllowercase123", "Password")]
    public async Task Bad_sign_up_input_gets_a_field_message_and_stores_nothing(string email, string password, string field)
    {
        await using var scope = factory.Scope();
        var handler = scope.ServiceProvider.GetRequiredService<RegisterAccount.Handler>();
        var result = await handler.HandleAsync(new RegisterAccount.Command(email, password, "Name", "Some Company", TenantKind.Company));
        Assert.False(result.IsSuccess);
        var validation = Assert.IsType<Portal.Core.Common.ValidationError>(result.Error);
        Assert.True(validation.Fields.ContainsKey(field), string.Join(",", validation.Fields.Keys));

        var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.False(await db.Users.AnyAsync(u => u.Email == email));
        Assert.False(await db.Tenants.AnyAsync(t => t.Name == "Some Company"));
    }

    [Fact]
    public async Task Sign_up_with_an_existing_email_answers_like_a_new_one_and_tells_the_holder()
    {
        var first = await PortalClient.SignUpAsync(factory, "原公司");
        var fresh = await SignUpFormAsync(PortalClient.NewEmail("fresh"), "新公司");
        var existing = await SignUpFormAsync(first.Email.ToUpperInvariant(), "重复公司");

        // The same answer: a redirect to "check your inbox" for the address given, and no field error.
        Assert.Equal(HttpStatusCode.Redirect, fresh.Response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, existing.Response.StatusCode);
        Assert.StartsWith("/Account/RegisterConfirmation?email=", existing.Response.LocationPath());
        Assert.Equal(fresh.Response.LocationPath()!.Replace(Uri.EscapeDataString(fresh.Email), "X", StringComparison.OrdinalIgnoreCase),
            existing.Response.LocationPath()!.Replace(Uri.EscapeDataString(existing.Email), "X", StringComparison.OrdinalIgnoreCase));

        // Nothing was created for the second attempt; the holder was told by email instead.
        await using var s = factory.Scope();
        var db = await s.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.False(await db.Tenants.AnyAsync(t => t.Name == "重复公司"));
        Assert.Equal(1, await db.Users.CountAsync(u => u.NormalizedEmail == first.Email.ToUpperInvariant()));
        var told = await first.LatestLinkAsync("SignUpAttempt");
        Assert.EndsWith("/Account/Login", told);

        // A weak password gets the same field message for an existing address as for a new one.
        var handler = s.ServiceProvider.GetRequiredService<RegisterAccount.Handler>();
        var weakExisting = await handler.HandleAsync(new RegisterAccount.Command(first.Email, "short", "Dup", "重复公司", TenantKind.Company));
        var weakNew = await handler.HandleAsync(new RegisterAccount.Command(PortalClient.NewEmail("weak"), "short", "Dup", "重复公司", TenantKind.Company));
        Assert.Equal(
            Assert.IsType<Portal.Core.Common.ValidationError>(weakNew.Error).Fields["Password"],
            Assert.IsType<Portal.Core.Common.ValidationError>(weakExisting.Error).Fields["Password"]);
    }

    private async Task<(string Email, HttpResponseMessage Response)> SignUpFormAsync(string email, string tenantName)
    {
        var client = new PortalClient(factory);
        var response = await client.PostFormAsync("/Account/Register", "register", new()
        {
            ["Input.Email"] = email,
            ["Input.DisplayName"] = "王小明",
            ["Input.Password"] = "Form-Pass-1234",
            ["Input.Kind"] = "Company",
            ["Input.TenantName"] = tenantName,
        });
        return (email, response);
    }

    [Fact]
    public async Task Reused_confirmation_link_after_password_reset_is_rejected()
    {
        var client = await PortalClient.SignUpAsync(factory);
        var forgot = await client.PostFormAsync("/Account/ForgotPassword", "forgot-password", new() { ["Input.Email"] = client.Email });
        Assert.Equal(HttpStatusCode.Redirect, forgot.StatusCode);
        var link = await client.LatestLinkAsync("ResetPassword");
        var path = new Uri(link).PathAndQuery;

        var reset = await client.PostFormAsync(path, "reset-password", new()
        {
            ["Input.Email"] = client.Email,
            ["Input.Password"] = "Brand-New-Pass-1",
            ["Input.ConfirmPassword"] = "Brand-New-Pass-1",
            ["Input.Code"] = CodeFrom(await client.Http.GetStringAsync(path)),
        });
        Assert.Equal("/Account/ResetPasswordConfirmation", reset.LocationPath());

        // The same reset link a second time: the token's security stamp changed, so it is refused.
        var again = await client.PostFormAsync(path, "reset-password", new()
        {
            ["Input.Email"] = client.Email,
            ["Input.Password"] = "Another-New-Pass-2",
            ["Input.ConfirmPassword"] = "Another-New-Pass-2",
            ["Input.Code"] = CodeFrom(await client.Http.GetStringAsync(path)),
        });
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        var fresh = PortalClient.As(factory, client.Email, "Brand-New-Pass-1");
        Assert.Equal("/", (await fresh.LoginAsync()).LocationPath());
    }

    [Fact]
    public async Task Expired_reset_link_is_refused()
    {
        var client = await PortalClient.SignUpAsync(factory);
        await client.PostFormAsync("/Account/ForgotPassword", "forgot-password", new() { ["Input.Email"] = client.Email });
        var path = new Uri(await client.LatestLinkAsync("ResetPassword")).PathAndQuery;
        var code = CodeFrom(await client.Http.GetStringAsync(path));

        factory.Clock.Advance(TimeSpan.FromDays(2));
        var late = await client.PostFormAsync(path, "reset-password", new()
        {
            ["Input.Email"] = client.Email,
            ["Input.Password"] = "Too-Late-Pass-1",
            ["Input.ConfirmPassword"] = "Too-Late-Pass-1",
            ["Input.Code"] = code,
        });
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal("/", (await PortalClient.As(factory, client.Email, client.Password).LoginAsync()).LocationPath());
    }

    [Fact]
    public async Task Repeated_wrong_passwords_lock_the_account()
    {
        var client = await PortalClient.SignUpAsync(factory);
        var attacker = PortalClient.As(factory, client.Email, "Wrong-Pass-000");
        for (var i = 0; i < 5; i++)
        {
            var wrong = await attacker.LoginAsync();
            Assert.NotEqual("/", wrong.LocationPath());
        }

        // Even the right password is refused while the lockout lasts.
        var locked = await PortalClient.As(factory, client.Email, client.Password).LoginAsync();
        Assert.Equal(HttpStatusCode.Redirect, locked.StatusCode);
        Assert.Equal("/Account/Lockout", locked.LocationPath());
    }

    [Fact]
    public async Task Tenant_user_opening_admin_pages_is_refused()
    {
        var client = await PortalClient.SignUpAsync(factory);
        var response = await client.Http.GetAsync("/admin/tenants");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/Account/AccessDenied", response.LocationPath());
        var jobs = await client.Http.GetAsync("/admin/jobs");
        Assert.NotEqual(HttpStatusCode.OK, jobs.StatusCode);
    }

    [Fact]
    public async Task Operator_without_2fa_is_sent_to_enable_it_and_then_gets_in()
    {
        var admin = PortalClient.As(factory, PortalFactory.AdminEmail, PortalFactory.AdminPassword);
        Assert.Equal("/", (await admin.LoginAsync()).LocationPath());

        var refused = await admin.Http.GetAsync("/admin/tenants");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Contains("/Account/Manage/EnableAuthenticator", refused.LocationPath());

        var setup = await admin.Http.GetStringAsync("/Account/Manage/EnableAuthenticator");
        var key = KeyPattern().Match(setup).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(key));
        var enabled = await admin.PostFormAsync("/Account/Manage/EnableAuthenticator", "send-code", new() { ["Input.Code"] = Totp.Code(key, DateTimeOffset.UtcNow) });
        Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        Assert.Contains("recovery-codes", await enabled.Content.ReadAsStringAsync());

        var allowed = await admin.Http.GetAsync("/admin/tenants");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);

        await using var scope = factory.Scope();
        var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.True(await db.AuditEntries.IgnoreTenantFilter().AnyAsync(a => a.Action == "security.2fa_enabled" && a.Actor == PortalFactory.AdminEmail));
    }

    private static string CodeFrom(string page) => System.Net.WebUtility.HtmlDecode(CodePattern().Match(page).Groups[1].Value);

    [GeneratedRegex(@"name=""Input.Code"" value=""([^""]*)""")]
    private static partial Regex CodePattern();

    [GeneratedRegex("""data-testid="totp-key">([a-z0-9 ]+)<""")]
    private static partial Regex KeyPattern();
}

public sealed class AccountsTestsOnPostgres(PostgresPortalFactory factory) : AccountsTests<PostgresPortalFactory>(factory);

public sealed class AccountsTestsOnSqlite(SqlitePortalFactory factory) : AccountsTests<SqlitePortalFactory>(factory);
