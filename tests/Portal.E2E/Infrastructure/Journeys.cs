using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Tenants;
using Portal.TestSupport;

namespace Portal.E2E.Infrastructure;

/// <summary>Steps many browser tests share: a signed-in tenant Owner, an operator with 2FA turned on.</summary>
public static class Journeys
{
    public static async Task<(IPage Page, string Email)> SignedInOwnerAsync(PortalServer server, string tenantName)
    {
        var email = $"owner-{Guid.NewGuid():N}"[..18] + "@example.test";
        const string password = "Owner-Pass-2026";
        await using (var scope = server.Scope())
        {
            var registered = await scope.ServiceProvider.GetRequiredService<RegisterAccount.Handler>()
                .HandleAsync(new RegisterAccount.Command(email, password, "王经理", tenantName, TenantKind.Company));
            Assert.True(registered.IsSuccess);
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<PortalUser>>();
            var user = await users.FindByEmailAsync(email);
            await users.ConfirmEmailAsync(user!, await users.GenerateEmailConfirmationTokenAsync(user!));
        }

        var page = await server.NewPageAsync();
        await SignInAsync(page, email, password);
        return (page, email);
    }

    public static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/Account/Login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("[data-testid=login-submit]");
        await page.WaitForURLAsync(new Regex(@"^(?!.*Account/Login).*$"));
    }

    /// <summary>What the operator sets up before a tenant can call: a chat model (¥1.05 / ¥4.20 per 1M tokens) on a simulator channel.</summary>
    public static async Task SimulatorModelAsync(IServiceProvider services, string publicId, string displayName, string channelName)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var admin = await db.Users.SingleAsync(u => u.Email == PortalServer.AdminEmail);
        services.GetRequiredService<CurrentUser>().Use(CurrentUser.For(admin.Id, PortalServer.AdminEmail, null, OperatorRoles.PlatformAdmin));
        var model = await services.GetRequiredService<CreateModel.Handler>().HandleAsync(
            new CreateModel.Command(publicId, displayName, ModelKind.Chat, "1.05", "4.2", "0.525", 128_000, 16_384, 1_024, ModelTokenizer.O200kBase, true));
        Assert.True(model.IsSuccess, model.Error?.Message);
        var channel = await services.GetRequiredService<CreateChannel.Handler>().HandleAsync(
            new CreateChannel.Command(channelName, ChannelType.Simulator, null, null, 0, 1, true, [new ChannelModelMapping(publicId, null)]));
        Assert.True(channel.IsSuccess, channel.Error?.Message);
    }

    /// <summary>Signs the bootstrap operator in and turns on 2FA the way a person would, with an authenticator code.</summary>
    public static async Task<IPage> OperatorWith2faAsync(PortalServer server)
    {
        var page = await server.NewPageAsync();
        await SignInAsync(page, PortalServer.AdminEmail, PortalServer.AdminPassword);
        await page.GotoAsync("/admin/tenants");
        if (page.Url.Contains("EnableAuthenticator", StringComparison.Ordinal))
        {
            await Assertions.Expect(page.Locator("[data-testid=operator-2fa-required]")).ToBeVisibleAsync();
            await BrowserTest.SnapAsync(page, "admin-00-enable-2fa");
            var key = await page.Locator("[data-testid=totp-key]").InnerTextAsync();
            await page.FillAsync("#code", Totp.Code(key, DateTimeOffset.UtcNow));
            await page.ClickAsync("[data-testid=verify-2fa]");
            await Assertions.Expect(page.Locator("[data-testid=recovery-codes]")).ToBeVisibleAsync();
            await page.ClickAsync("[data-testid=continue]");
        }

        await page.GotoAsync("/admin/tenants");
        await Assertions.Expect(page.Locator("[data-testid=tenants-table]")).ToBeVisibleAsync();
        return page;
    }
}
