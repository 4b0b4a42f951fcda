using Microsoft.Playwright;
using Portal.E2E.Infrastructure;

namespace Portal.E2E.Flows;

/// <summary>The Owner's data page in the browser: an export is requested, the account is closed, and the certificate verifies.</summary>
public sealed class DataRightsFlowTests(PortalServer server) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Owner_requests_an_export_closes_the_account_and_the_certificate_verifies()
    {
        const string tenantName = "注销演示科技有限公司";
        var (page, _) = await Journeys.SignedInOwnerAsync(server, tenantName);
        await BrowserTest.RunAsync(page, nameof(Owner_requests_an_export_closes_the_account_and_the_certificate_verifies), async () =>
        {
            await page.GotoAsync("/settings/data");
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await page.ClickAsync("[data-testid=export-request]");
            await Assertions.Expect(page.Locator("[data-testid=export-status]").First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("排队中|生成中|可下载"));
            await BrowserTest.SnapAsync(page, "90-data-export-requested");

            await page.Locator("input[data-testid=closure-password], [data-testid=closure-password] input").First.FillAsync("Owner-Pass-2026");
            await page.GetByText("我了解注销账户后无法恢复。").ClickAsync();
            await BrowserTest.SnapAsync(page, "91-data-closure-form");
            await page.ClickAsync("[data-testid=closure-submit]");
            await Assertions.Expect(page.Locator("[data-testid=closure-done]")).ToContainTextAsync("账户已注销", new() { Timeout = 20_000 });
            await BrowserTest.SnapAsync(page, "92-data-closed");

            var verifyUrl = await page.Locator("[data-testid=closure-verify-link]").GetAttributeAsync("href");
            var verify = await page.Context.NewPageAsync();
            await verify.GotoAsync(new Uri(verifyUrl!).PathAndQuery);
            await Assertions.Expect(verify.Locator("[data-testid=closure-valid]")).ToHaveTextAsync("此数据删除证明有效。");
            await Assertions.Expect(verify.Locator("[data-testid=closure-tenant]")).ToHaveTextAsync(tenantName);
            await BrowserTest.SnapAsync(verify, "93-data-certificate-verified");
        });
    }
}
