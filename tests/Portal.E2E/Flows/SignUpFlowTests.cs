using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Features.Notifications;
using Portal.E2E.Infrastructure;

namespace Portal.E2E.Flows;

public sealed class SignUpFlowTests(PortalServer server) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Sign_up_confirm_email_sign_in_and_land_on_tenant_home()
    {
        var page = await server.NewPageAsync();
        var email = $"e2e-{Guid.NewGuid():N}"[..16] + "@example.test";
        await BrowserTest.RunAsync(page, nameof(Sign_up_confirm_email_sign_in_and_land_on_tenant_home), async () =>
        {
            await page.GotoAsync("/Account/Register");
            await BrowserTest.SnapAsync(page, "01-register");
            await page.FillAsync("#email", email);
            await page.FillAsync("#displayName", "李雷");
            await page.FillAsync("#password", "E2e-Secret-Pass-1");
            await page.FillAsync("#tenantName", "浏览器测试科技有限公司");
            await page.ClickAsync("[data-testid=register-submit]");
            await page.WaitForURLAsync(new Regex("/Account/RegisterConfirmation"));
            await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("邮件");

            // Without SMTP the email lands in the outbox; the operator page reads the same table.
            string link;
            await using (var scope = server.Scope())
            {
                var message = await scope.ServiceProvider.GetRequiredService<OutboxQueries>().LatestToAsync(email, "ConfirmEmail");
                Assert.NotNull(message);
                link = Regex.Match(message!.TextBody, @"https?://\S+").Value;
            }

            await page.GotoAsync(link);
            await Assertions.Expect(page.Locator("[data-testid=email-confirmed]")).ToBeVisibleAsync();

            await page.GotoAsync("/Account/Login");
            await BrowserTest.SnapAsync(page, "02-login");
            await page.FillAsync("#email", email);
            await page.FillAsync("#password", "E2e-Secret-Pass-1");
            await page.ClickAsync("[data-testid=login-submit]");
            await page.WaitForURLAsync(server.BaseUrl + "/");
            await Assertions.Expect(page.Locator("[data-testid=tenant-home-title]")).ToContainTextAsync("李雷");
            await Assertions.Expect(page.Locator("[data-testid=tenant-name]")).ToContainTextAsync("浏览器测试科技有限公司");
            await BrowserTest.SnapAsync(page, "03-tenant-home");
        });
    }

    [Fact]
    public async Task Wrong_password_shows_a_message_on_the_form()
    {
        var page = await server.NewPageAsync();
        await BrowserTest.RunAsync(page, nameof(Wrong_password_shows_a_message_on_the_form), async () =>
        {
            await page.GotoAsync("/Account/Login");
            await page.FillAsync("#email", "nobody@example.test");
            await page.FillAsync("#password", "whatever-123");
            await page.ClickAsync("[data-testid=login-submit]");
            await Assertions.Expect(page.Locator(".alert-error")).ToBeVisibleAsync();
            await Assertions.Expect(page).ToHaveURLAsync(new Regex("/Account/Login"));
        });
    }
}
