using Microsoft.Playwright;
using Portal.E2E.Infrastructure;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.E2E.Flows;

/// <summary>A refund of unused balance end to end: the tenant asks, finance approves, Alipay (the simulator) refunds, the tenant sees it completed.</summary>
public sealed class RefundFlowTests(PortalServer server) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Tenant_requests_a_refund_finance_approves_and_the_tenant_sees_it_completed()
    {
        const string tenantName = "退款演示科技有限公司";
        var (page, email) = await Journeys.SignedInOwnerAsync(server, tenantName);
        await BrowserTest.RunAsync(page, nameof(Tenant_requests_a_refund_finance_approves_and_the_tenant_sees_it_completed), async () =>
        {
            await KycApproval.ApproveAsync(server.Services, email, PortalServer.AdminEmail, tenantName);

            // ¥100 by QR code, paid on the "phone".
            await page.GotoAsync("/wallet");
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await page.ClickAsync("[data-testid=channel-qr]");
            await page.ClickAsync("[data-testid=top-up-submit]");
            var scanUrl = await page.Locator("[data-testid=qr-sim-link]").GetAttributeAsync("href");
            var phone = await page.Context.NewPageAsync();
            await phone.GotoAsync(scanUrl!);
            await phone.ClickAsync("[data-testid=sim-pay]");
            await Assertions.Expect(page.Locator("[data-testid=wallet-balance]")).ToHaveTextAsync("¥100.00", new() { Timeout = 20_000 });

            await page.ClickAsync("[data-testid=refunds-link]");
            await page.WaitForURLAsync("**/wallet/refunds");
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await Assertions.Expect(page.Locator("[data-testid=refundable]")).ToHaveTextAsync("¥100.00");
            await BrowserTest.SnapAsync(page, "40-refunds-empty");
            await page.Locator("input[data-testid=refund-amount], [data-testid=refund-amount] input").First.FillAsync("100.01");
            await page.ClickAsync("[data-testid=refund-submit]");
            await Assertions.Expect(page.Locator(".mud-input-helper-text.mud-input-error").First).ToContainTextAsync("¥100.00");
            await BrowserTest.SnapAsync(page, "41-refund-too-much");
            await page.Locator("input[data-testid=refund-amount], [data-testid=refund-amount] input").First.FillAsync("60");
            await page.Locator("textarea[data-testid=refund-reason], [data-testid=refund-reason] textarea").First.FillAsync("项目结束，退回剩余款项");
            await page.ClickAsync("[data-testid=refund-submit]");
            await Assertions.Expect(page.Locator("[data-testid=refund-status]")).ToHaveTextAsync("待审核");
            await Assertions.Expect(page.Locator("[data-testid=refundable]")).ToHaveTextAsync("¥40.00");
            await BrowserTest.SnapAsync(page, "42-refund-requested");

            var finance = await Journeys.OperatorWith2faAsync(server);
            await finance.GotoAsync("/admin/refunds");
            await finance.Locator("[data-testid=refund-queue][data-interactive=true]").WaitForAsync();
            await finance.Locator("[data-testid=refund-open]").First.ClickAsync();
            await Assertions.Expect(finance.Locator("[data-testid=refund-detail]")).ToContainTextAsync(tenantName);
            await BrowserTest.SnapAsync(finance, "43-refund-queue");
            await finance.ClickAsync("[data-testid=refund-approve]");
            await Assertions.Expect(finance.Locator("[data-testid=part-status]")).ToHaveTextAsync("已退回");
            await BrowserTest.SnapAsync(finance, "44-refund-approved");

            // The tenant's page polls and turns to completed by itself.
            await Assertions.Expect(page.Locator("[data-testid=refund-status]")).ToHaveTextAsync("已完成", new() { Timeout = 20_000 });
            await Assertions.Expect(page.Locator("[data-testid=refund-part]")).ToContainTextAsync("支付宝");
            await BrowserTest.SnapAsync(page, "45-refund-completed");
            await page.GotoAsync("/wallet");
            await Assertions.Expect(page.Locator("[data-testid=wallet-balance]")).ToHaveTextAsync("¥40.00");
            await Assertions.Expect(page.Locator("[data-testid=order-refunded]")).ToContainTextAsync("¥60.00");
            await BrowserTest.SnapAsync(page, "46-wallet-after-refund");
        });
    }
}
