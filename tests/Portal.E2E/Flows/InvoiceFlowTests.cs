using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Payments.BankTransfer;
using Portal.E2E.Infrastructure;
using Portal.IntegrationTests.Infrastructure;
using UglyToad.PdfPig;

namespace Portal.E2E.Flows;

/// <summary>An invoice end to end: the tenant saves its details and requests one, finance issues it, the tenant downloads the PDF.</summary>
public sealed class InvoiceFlowTests(PortalServer server) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Tenant_requests_an_invoice_finance_issues_it_and_the_tenant_downloads_the_pdf()
    {
        const string tenantName = "发票演示科技有限公司";
        var (page, email) = await Journeys.SignedInOwnerAsync(server, tenantName);
        await BrowserTest.RunAsync(page, nameof(Tenant_requests_an_invoice_finance_issues_it_and_the_tenant_downloads_the_pdf), async () =>
        {
            await KycApproval.ApproveAsync(server.Services, email, PortalServer.AdminEmail, tenantName);
            await PaidByTransferAsync(email, Money.FromYuan(2000));

            await page.GotoAsync("/invoices");
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await Assertions.Expect(page.Locator("[data-testid=invoiceable-amount]")).ToHaveTextAsync("¥2,000.00");
            await Assertions.Expect(Field(page, "profile-title")).ToHaveValueAsync(tenantName);
            await BrowserTest.SnapAsync(page, "40-invoices-empty");
            // Prefilled from the verification: usable without a separate save; the request saves the details.
            await Assertions.Expect(page.Locator("[data-testid=profile-prefilled-note]")).ToBeVisibleAsync();
            await Field(page, "profile-phone").FillAsync("021-12345678");
            await Assertions.Expect(page.Locator("[data-testid=invoice-request-open]")).ToBeEnabledAsync();

            await page.ClickAsync("[data-testid=invoice-request-open]");
            await Field(page, "invoice-amount").FillAsync("1060");
            await Assertions.Expect(page.Locator("[data-testid=invoice-split]")).ToContainTextAsync("¥1,000.00");
            await Assertions.Expect(page.Locator("[data-testid=invoice-split]")).ToContainTextAsync("壹仟零陆拾元整");
            await BrowserTest.SnapAsync(page, "41-invoice-request");
            await page.ClickAsync("[data-testid=invoice-request-submit]");
            await Assertions.Expect(page.Locator("[data-testid=invoices-table]")).ToContainTextAsync("¥1,060.00");
            await Assertions.Expect(page.Locator("[data-testid=invoiceable-amount]")).ToHaveTextAsync("¥940.00");
            await Assertions.Expect(page.Locator("[data-testid=profile-prefilled-note]")).ToHaveCountAsync(0); // saved with the request

            var finance = await Journeys.OperatorWith2faAsync(server);
            await finance.GotoAsync("/admin/invoices");
            await finance.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await Assertions.Expect(finance.Locator("[data-testid=invoice-queue]")).ToContainTextAsync(tenantName);
            await finance.Locator("[data-testid=invoice-queue] tr", new() { HasText = tenantName }).Locator("[data-testid=invoice-open]").ClickAsync();
            await Assertions.Expect(finance.Locator("[data-testid=invoice-decision]")).ToContainTextAsync("¥60.00");
            await BrowserTest.SnapAsync(finance, "42-finance-invoice-decision");
            await finance.ClickAsync("[data-testid=invoice-issue]");
            await Assertions.Expect(finance.Locator("[data-testid=invoice-decision]")).ToHaveCountAsync(0);
            await Assertions.Expect(finance.Locator("[data-testid=invoice-queue]")).Not.ToContainTextAsync(tenantName);

            await page.ReloadAsync();
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            var pdfButton = page.Locator("[data-testid=invoice-pdf]");
            await Assertions.Expect(pdfButton).ToBeVisibleAsync();
            await BrowserTest.SnapAsync(page, "43-invoice-issued");
            var download = await page.RunAndWaitForDownloadAsync(() => pdfButton.ClickAsync());
            Assert.EndsWith(".pdf", download.SuggestedFilename, StringComparison.Ordinal);
            var path = await download.PathAsync();
            using var pdf = PdfDocument.Open(await File.ReadAllBytesAsync(path));
            var text = string.Concat(pdf.GetPages().Select(p => p.Text));
            Assert.Contains(tenantName, text);
            Assert.Contains("¥1,060.00", text);
            Assert.Contains("壹仟零陆拾元整", text);

            // Invoiced money is not refunded: the refunds page says how much is invoiced and offers only the rest.
            await page.GotoAsync("/wallet/refunds");
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await Assertions.Expect(page.Locator("[data-testid=refundable]")).ToHaveTextAsync("¥940.00");
            await Assertions.Expect(page.Locator("[data-testid=refund-invoiced]")).ToContainTextAsync("¥1,060.00");
            await Field(page, "refund-amount").FillAsync("940.01");
            await page.ClickAsync("[data-testid=refund-submit]");
            await Assertions.Expect(page.Locator(".mud-input-helper-text.mud-input-error")).ToContainTextAsync("¥940.00");
            await BrowserTest.SnapAsync(page, "44-refund-limited-by-invoice");
            await Field(page, "refund-amount").FillAsync("100");
            await page.ClickAsync("[data-testid=refund-submit]");
            await Assertions.Expect(page.Locator("[data-testid=refundable]")).ToHaveTextAsync("¥840.00");

            // ... and a refund in progress cannot be invoiced meanwhile.
            await page.GotoAsync("/invoices");
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await Assertions.Expect(page.Locator("[data-testid=invoiceable-amount]")).ToHaveTextAsync("¥840.00");
            await Assertions.Expect(page.Locator("body")).ToContainTextAsync("退款处理中");
            await BrowserTest.SnapAsync(page, "45-invoiceable-after-refund-request");
        });
    }

    private static ILocator Field(IPage page, string testId) => page.Locator($"input[data-testid={testId}], [data-testid={testId}] input").First;

    /// <summary>The tenant announces a bank transfer and finance confirms it: a real TopUp in the ledger.</summary>
    private async Task PaidByTransferAsync(string ownerEmail, Money amount)
    {
        Guid transferId;
        await using (var scope = server.Scope())
        {
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            var owner = await db.Users.SingleAsync(u => u.Email == ownerEmail);
            scope.ServiceProvider.GetRequiredService<CurrentUser>().Use(CurrentUser.For(owner.Id, ownerEmail, owner.CurrentTenantId));
            var created = await scope.ServiceProvider.GetRequiredService<CreateBankTransfer.Handler>().HandleAsync(new CreateBankTransfer.Command(amount));
            Assert.True(created.IsSuccess, created.Error?.Message);
            transferId = created.Value!.Id;
        }

        await using (var scope = server.Scope())
        {
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            var admin = await db.Users.SingleAsync(u => u.Email == PortalServer.AdminEmail);
            scope.ServiceProvider.GetRequiredService<CurrentUser>().Use(CurrentUser.For(admin.Id, PortalServer.AdminEmail, null, OperatorRoles.PlatformFinance));
            var confirmed = await scope.ServiceProvider.GetRequiredService<ConfirmBankTransfer.Handler>()
                .HandleAsync(new ConfirmBankTransfer.Command(transferId, amount, "E2E" + Guid.NewGuid().ToString("N")[..20]));
            Assert.True(confirmed.IsSuccess, confirmed.Error?.Message);
        }
    }
}
