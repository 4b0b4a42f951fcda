using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Notifications;
using Portal.Core.Features.Tenants;
using Portal.E2E.Infrastructure;
using Portal.TestSupport;

namespace Portal.E2E.Flows;

public sealed class KycFlowTests(PortalServer server) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Tenant_submits_enterprise_verification_operator_approves_tenant_sees_approved()
    {
        const string company = "浏览器认证科技有限公司";
        var code = UnifiedSocialCreditCode.Generate(new Random());
        var email = $"kyc-{Guid.NewGuid():N}"[..16] + "@example.test";
        const string password = "E2e-Secret-Pass-1";
        await using (var scope = server.Scope())
        {
            var registered = await scope.ServiceProvider.GetRequiredService<RegisterAccount.Handler>()
                .HandleAsync(new RegisterAccount.Command(email, password, "韩梅梅", company, TenantKind.Company));
            Assert.True(registered.IsSuccess, registered.Error?.Message);
        }

        var tenant = await server.NewPageAsync();
        await BrowserTest.RunAsync(tenant, "kyc-tenant-submits", async () =>
        {
            await tenant.GotoAsync(await LinkAsync(email, "ConfirmEmail"));
            await SignInAsync(tenant, email, password);
            await Assertions.Expect(tenant.Locator("[data-testid=kyc-gate]")).ToBeVisibleAsync();
            await BrowserTest.SnapAsync(tenant, "kyc-01-overview-gate");

            await tenant.GotoAsync("/verification");
            await tenant.Locator("[data-testid=kyc-form][data-interactive=true]").WaitForAsync();
            await tenant.Locator("input[data-testid=kyc-company], [data-testid=kyc-company] input").FillAsync(company);
            await tenant.Locator("input[data-testid=kyc-credit-code], [data-testid=kyc-credit-code] input").FillAsync(code.ToLowerInvariant());
            await tenant.Locator("input[data-testid=kyc-legal-rep], [data-testid=kyc-legal-rep] input").FillAsync("韩梅梅");
            await tenant.Locator("input[data-testid=kyc-address], [data-testid=kyc-address] input").FillAsync("北京市海淀区中关村大街27号");
            await tenant.Locator("input[data-testid=kyc-contact-name], [data-testid=kyc-contact-name] input").FillAsync("韩梅梅");
            await tenant.Locator("input[data-testid=kyc-contact-mobile], [data-testid=kyc-contact-mobile] input").FillAsync("13912345678");
            await BrowserTest.SnapAsync(tenant, "kyc-02-form-missing-licence");
            await tenant.Locator("[data-testid=upload-BusinessLicence] input[type=file]").SetInputFilesAsync(new FilePayload
            {
                Name = "营业执照.png",
                MimeType = "image/png",
                Buffer = LicenceImage.GeneratePng(company, code),
            });
            await Assertions.Expect(tenant.Locator("[data-testid=upload-BusinessLicence] img")).ToBeVisibleAsync();
            await Assertions.Expect(tenant.Locator("[data-testid=kyc-missing]")).ToContainTextAsync("已填写完整");
            await BrowserTest.SnapAsync(tenant, "kyc-03-form-complete");
            await tenant.ClickAsync("[data-testid=kyc-submit]");
            await Assertions.Expect(tenant.Locator("[data-testid=kyc-waiting]")).ToBeVisibleAsync();
            await BrowserTest.SnapAsync(tenant, "kyc-04-submitted");
        });

        // Operators must turn on 2FA first; the journey does it with the code an authenticator app would show.
        var operatorPage = await Journeys.OperatorWith2faAsync(server);
        await BrowserTest.RunAsync(operatorPage, "kyc-operator-approves", async () =>
        {
            await operatorPage.GotoAsync("/admin/kyc");
            await Assertions.Expect(operatorPage.Locator("[data-testid=kyc-queue]")).ToContainTextAsync(company);
            await BrowserTest.SnapAsync(operatorPage, "kyc-05-queue");
            await operatorPage.Locator("[data-testid=kyc-queue-item]", new() { HasText = company }).ClickAsync();
            await Assertions.Expect(operatorPage.Locator("[data-testid=kyc-doc-image]")).ToBeVisibleAsync();
            await operatorPage.WaitForFunctionAsync("() => { const i = document.querySelector('[data-testid=kyc-doc-image]'); return i && i.complete && i.naturalWidth > 0; }");
            await BrowserTest.SnapAsync(operatorPage, "kyc-06-review");
            await operatorPage.ClickAsync("[data-testid=kyc-approve]");
            await Assertions.Expect(operatorPage.Locator(".page-head [data-testid=kyc-status]")).ToContainTextAsync("已通过");
            await BrowserTest.SnapAsync(operatorPage, "kyc-07-approved-by-operator");
        });

        await BrowserTest.RunAsync(tenant, "kyc-tenant-sees-approved", async () =>
        {
            await tenant.GotoAsync("/verification");
            await Assertions.Expect(tenant.Locator("[data-testid=kyc-approved]")).ToBeVisibleAsync();
            await Assertions.Expect(tenant.Locator("[data-testid=kyc-state] [data-testid=kyc-status]")).ToContainTextAsync("已通过");
            await BrowserTest.SnapAsync(tenant, "kyc-08-tenant-approved");
            await tenant.GotoAsync("/");
            await Assertions.Expect(tenant.Locator("[data-testid=kyc-gate]")).ToHaveCountAsync(0);
        });
    }

    [Fact]
    public async Task A_failed_submit_keeps_the_typed_fields_when_the_page_is_left_and_opened_again()
    {
        var (page, _) = await Journeys.SignedInOwnerAsync(server, "草稿保留科技有限公司");
        await BrowserTest.RunAsync(page, "kyc-draft-kept", async () =>
        {
            await page.GotoAsync("/verification");
            await page.Locator("[data-testid=kyc-form][data-interactive=true]").WaitForAsync();
            await page.Locator("input[data-testid=kyc-company], [data-testid=kyc-company] input").FillAsync("草稿保留科技有限公司");
            await page.Locator("input[data-testid=kyc-credit-code], [data-testid=kyc-credit-code] input").FillAsync("NOT-A-CODE");
            await page.Locator("input[data-testid=kyc-legal-rep], [data-testid=kyc-legal-rep] input").FillAsync("李雷");
            await page.Locator("input[data-testid=kyc-contact-mobile], [data-testid=kyc-contact-mobile] input").FillAsync("13800001111");
            await page.ClickAsync("[data-testid=kyc-submit]");
            await Assertions.Expect(page.Locator("[data-testid=kyc-form-error]")).ToContainTextAsync("草稿");
            await BrowserTest.SnapAsync(page, "kyc-draft-01-failed-submit");

            // Leave the page (a full load elsewhere), then come back.
            await page.GotoAsync("/wallet");
            await page.GotoAsync("/verification");
            await page.Locator("[data-testid=kyc-form][data-interactive=true]").WaitForAsync();
            await Assertions.Expect(page.Locator("input[data-testid=kyc-company], [data-testid=kyc-company] input")).ToHaveValueAsync("草稿保留科技有限公司");
            await Assertions.Expect(page.Locator("input[data-testid=kyc-credit-code], [data-testid=kyc-credit-code] input")).ToHaveValueAsync("NOT-A-CODE");
            await Assertions.Expect(page.Locator("input[data-testid=kyc-legal-rep], [data-testid=kyc-legal-rep] input")).ToHaveValueAsync("李雷");
            await Assertions.Expect(page.Locator("input[data-testid=kyc-contact-mobile], [data-testid=kyc-contact-mobile] input")).ToHaveValueAsync("13800001111");
            await BrowserTest.SnapAsync(page, "kyc-draft-02-back-with-draft");
        });
    }

    private static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/Account/Login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("[data-testid=login-submit]");
        await page.WaitForURLAsync(new Regex("^[^?]*/$"));
    }

    private async Task<string> LinkAsync(string email, string kind)
    {
        await using var scope = server.Scope();
        var message = await scope.ServiceProvider.GetRequiredService<OutboxQueries>().LatestToAsync(email, kind);
        Assert.NotNull(message);
        return Regex.Match(message!.TextBody, @"https?://\S+").Value;
    }
}
