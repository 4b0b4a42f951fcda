using System.Text;
using Microsoft.Playwright;
using Portal.Core.Features.Payments.Alipay;
using Portal.E2E.Infrastructure;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.E2E.Flows;

/// <summary>A corporate transfer end to end: the tenant announces it, finance imports the bank's statement, the balance shows the credit.</summary>
public sealed class BankTransferFlowTests(PortalServer server) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Tenant_transfer_is_credited_when_finance_imports_a_statement_carrying_its_code()
    {
        const string tenantName = "对公转账演示科技有限公司";
        var (page, email) = await Journeys.SignedInOwnerAsync(server, tenantName);
        await BrowserTest.RunAsync(page, nameof(Tenant_transfer_is_credited_when_finance_imports_a_statement_carrying_its_code), async () =>
        {
            await KycApproval.ApproveAsync(server.Services, email, PortalServer.AdminEmail, tenantName);
            await page.GotoAsync("/wallet");
            // Follow links only once the page is interactive: a click during the hand-over from the prerendered page can be lost.
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await page.ClickAsync("[data-testid=bank-transfer-link]");
            await page.WaitForURLAsync("**/wallet/transfers");
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await page.Locator("input[data-testid=transfer-amount], [data-testid=transfer-amount] input").First.FillAsync("1000");
            await page.ClickAsync("[data-testid=transfer-submit]");
            await Assertions.Expect(page.Locator("[data-testid=remittance-code]")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-testid=account-number]")).ToContainTextAsync("1219");
            var code = (await page.Locator("[data-testid=remittance-code]").InnerTextAsync()).Trim();
            await BrowserTest.SnapAsync(page, "30-transfer-details");

            var statement = "交易日期,交易时间,收入金额,支出金额,对方户名,对方账号,摘要,交易流水号\r\n"
                + $"2026-11-28,10:15:00,\"1,000.00\",,{tenantName},6222020000000001,转账 {code[..4].ToLowerInvariant()} {code[4..].ToLowerInvariant()} 货款,E2E{Guid.NewGuid():N}\r\n";
            var finance = await Journeys.OperatorWith2faAsync(server);
            await finance.GotoAsync("/admin/bank-statements");
            await Assertions.Expect(finance.Locator("[data-testid=statement-imports]")).ToBeVisibleAsync();
            await BrowserTest.SnapAsync(finance, "31-statements-empty");
            await finance.SetInputFilesAsync("input[type=file]", new FilePayload { Name = "statement.csv", MimeType = "text/csv", Buffer = AlipayBillFormat.Gbk.GetBytes(statement) });
            await Assertions.Expect(finance.Locator("[data-testid=statement-preview]")).ToContainTextAsync("¥1,000.00");
            await BrowserTest.SnapAsync(finance, "32-statement-preview");
            await finance.ClickAsync("[data-testid=statement-import]");
            await Assertions.Expect(finance.Locator("[data-testid=statement-imports]")).ToContainTextAsync("statement.csv");
            await BrowserTest.SnapAsync(finance, "33-statement-imported");

            // The matcher runs in Hangfire; the tenant's page turns to "received" by itself.
            await Assertions.Expect(page.Locator("[data-testid=transfer-confirmed]")).ToBeVisibleAsync(new() { Timeout = 45_000 });
            await BrowserTest.SnapAsync(page, "34-transfer-confirmed");
            await page.GotoAsync("/wallet");
            await Assertions.Expect(page.Locator("[data-testid=wallet-balance]")).ToHaveTextAsync("¥1,000.00");
            await BrowserTest.SnapAsync(page, "35-wallet-after-transfer");
        });
    }
}
