using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Notifications;
using Portal.E2E.Infrastructure;
using Portal.TestSupport;
using UglyToad.PdfPig;

namespace Portal.E2E.Flows;

/// <summary>
/// A new company's whole first day, in the browser, on a desktop and again on a phone (390×844): sign-up, the
/// confirmation email from the outbox, verification, the operator's approval (after turning on TOTP), an Alipay
/// cashier top-up and a QR top-up, an API key, a relay call, the overview chart's bar, an issued invoice and its PDF.
/// Every step leaves a screenshot under TestResults/e2e/journey-*.
/// </summary>
public sealed class JourneyFlowTests(PortalServer server) : IClassFixture<PortalServer>
{
    private const string Password = "Journey-Pass-2026";

    [Fact]
    public async Task A_company_goes_from_sign_up_to_a_downloaded_invoice_on_a_desktop_and_on_a_phone()
    {
        await CatalogAsync();
        var operatorPage = await Journeys.OperatorWith2faAsync(server);
        await BrowserTest.RunAsync(operatorPage, "journey-operator-settings", async () =>
        {
            // The receiving account the transfer option shows comes from the settings page.
            await operatorPage.GotoAsync("/admin/settings");
            await Assertions.Expect(operatorPage.Locator("input[data-testid=settings-bank-account-number], [data-testid=settings-bank-account-number] input")).ToHaveValueAsync(new Regex(".+"));
            await BrowserTest.SnapAsync(operatorPage, "journey-operator-settings");
        });
        await WalkAsync(operatorPage, "desktop", 1366, 860, "旅程桌面科技有限公司");
        await WalkAsync(operatorPage, "phone", 390, 844, "旅程手机科技有限公司");
    }

    private async Task WalkAsync(IPage operatorPage, string device, int width, int height, string company)
    {
        var page = await server.NewPageAsync(width: width, height: height);
        var email = $"journey-{Guid.NewGuid():N}"[..20] + "@example.test";
        var step = 0;
        Task Snap(IPage p, string name) => BrowserTest.SnapAsync(p, $"journey-{device}-{++step:00}-{name}");

        await BrowserTest.RunAsync(page, $"journey-{device}", async () =>
        {
            // 1. A visitor lands on the home page and signs up.
            await page.GotoAsync("/");
            await page.WaitForURLAsync(new Regex("/welcome$"));
            await Snap(page, "welcome");
            await page.ClickAsync("[data-testid=welcome-register]");
            await page.FillAsync("#email", email);
            await page.FillAsync("#displayName", "周经理");
            await page.FillAsync("#password", Password);
            await page.FillAsync("#tenantName", company);
            await page.ClickAsync("[data-testid=register-submit]");
            await page.WaitForURLAsync(new Regex("/Account/RegisterConfirmation"));
            await Snap(page, "registered");

            // 2. The confirmation link, from the outbox (no SMTP in tests), then sign-in.
            await page.GotoAsync(await LinkAsync(email, "ConfirmEmail"));
            await Assertions.Expect(page.Locator("[data-testid=email-confirmed]")).ToBeVisibleAsync();
            await Snap(page, "email-confirmed");
            await Journeys.SignInAsync(page, email, Password);
            await Assertions.Expect(page.Locator("[data-testid=tenant-name]")).ToContainTextAsync(company);

            // 3. Verification as a company.
            var code = UnifiedSocialCreditCode.Generate(new Random());
            await page.GotoAsync("/verification");
            await page.Locator("[data-testid=kyc-form][data-interactive=true]").WaitForAsync();
            await Field(page, "kyc-company").FillAsync(company);
            await Field(page, "kyc-credit-code").FillAsync(code);
            await Field(page, "kyc-legal-rep").FillAsync("周经理");
            await Field(page, "kyc-address").FillAsync("上海市徐汇区漕河泾开发区");
            await Field(page, "kyc-contact-name").FillAsync("周经理");
            await Field(page, "kyc-contact-mobile").FillAsync("13700001234");
            await page.Locator("[data-testid=upload-BusinessLicence] input[type=file]").SetInputFilesAsync(new FilePayload
            {
                Name = "营业执照.png",
                MimeType = "image/png",
                Buffer = LicenceImage.GeneratePng(company, code),
            });
            await Assertions.Expect(page.Locator("[data-testid=upload-BusinessLicence] img")).ToBeVisibleAsync();
            await page.ClickAsync("[data-testid=kyc-submit]");
            await Assertions.Expect(page.Locator("[data-testid=kyc-waiting]")).ToBeVisibleAsync();
            await Snap(page, "verification-submitted");
        });

        // 4. The operator (TOTP turned on when it first signed in) approves.
        await BrowserTest.RunAsync(operatorPage, $"journey-{device}-operator", async () =>
        {
            await operatorPage.GotoAsync("/admin/kyc");
            await operatorPage.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await operatorPage.Locator("[data-testid=kyc-queue-item]", new() { HasText = company }).ClickAsync();
            await Assertions.Expect(operatorPage.Locator("[data-testid=kyc-doc-image]")).ToBeVisibleAsync();
            await operatorPage.ClickAsync("[data-testid=kyc-approve]");
            await Assertions.Expect(operatorPage.Locator(".page-head [data-testid=kyc-status]")).ToContainTextAsync("已通过");
            await Snap(operatorPage, "operator-approved");
        });

        await BrowserTest.RunAsync(page, $"journey-{device}-money", async () =>
        {
            // 5. Alipay: the cashier page.
            await page.GotoAsync("/wallet");
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await Assertions.Expect(page.Locator("[data-testid=top-up-submit]")).ToBeEnabledAsync();
            await page.ClickAsync("[data-testid=preset-100]");
            await page.ClickAsync("[data-testid=channel-page]");
            await page.ClickAsync("[data-testid=top-up-submit]");
            await page.WaitForURLAsync(new Regex("/_simulator/alipay/cashier/"));
            await page.ClickAsync("[data-testid=sim-pay]");
            await page.WaitForURLAsync(new Regex("/wallet/return"));
            await Assertions.Expect(page.Locator("[data-testid=return-balance]")).ToHaveTextAsync("¥100.00", new() { Timeout = 20_000 });
            await Snap(page, "alipay-paid");

            // 6. Alipay QR code, "scanned" in another tab.
            await page.ClickAsync("[data-testid=back-to-wallet]");
            await page.ClickAsync("[data-testid=channel-qr]");
            await Field(page, "custom-amount").FillAsync("88.80");
            await page.ClickAsync("[data-testid=top-up-submit]");
            await Assertions.Expect(page.Locator("[data-testid=top-up-qr] svg")).ToBeVisibleAsync();
            var scanUrl = await page.Locator("[data-testid=qr-sim-link]").GetAttributeAsync("href");
            var scanner = await page.Context.NewPageAsync();
            await scanner.GotoAsync(scanUrl!);
            await scanner.ClickAsync("[data-testid=sim-pay]");
            await Assertions.Expect(scanner.Locator("[data-testid=sim-paid]")).ToBeVisibleAsync();
            await scanner.CloseAsync();
            await Assertions.Expect(page.Locator("[data-testid=wallet-balance]")).ToHaveTextAsync("¥188.80", new() { Timeout = 20_000 });
            await Snap(page, "qr-paid");

            // 7. An API key, shown once.
            await page.GotoAsync("/keys");
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await page.ClickAsync("[data-testid=key-new]");
            await Field(page, "key-name").FillAsync("旅程密钥");
            await page.ClickAsync("[data-testid=key-create]");
            var secret = await Field(page, "key-secret").InputValueAsync();
            Assert.StartsWith("sk-cn-", secret);
            await Snap(page, "key-created");
            await page.ClickAsync("[data-testid=key-secret-done]");

            // 8. A relay call with it, as any OpenAI client makes one.
            using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("{\"model\":\"journey-mini\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"你好\"}]}", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            using var response = await http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

            // 9. The overview's chart draws today's spend (a fraction of a fen) as a bar one can see.
            var tallest = 0d;
            for (var attempt = 0; attempt < 20 && tallest < 3; attempt++)
            {
                await page.GotoAsync("/");
                if (await page.Locator("[data-testid=overview-chart] svg").CountAsync() > 0)
                {
                    tallest = await page.EvaluateAsync<double>(
                        "() => Math.max(0, ...[...document.querySelectorAll('[data-testid=overview-chart] path.mud-chart-bar')].map(b => b.getBoundingClientRect().height))");
                }
                if (tallest < 3) await Task.Delay(1_000);
            }
            Assert.True(tallest >= 3, $"today's bar is {tallest} px tall");
            await Snap(page, "usage-bar");

            // 10. An invoice: requested by the tenant, issued by the operator, downloaded as a PDF.
            await page.GotoAsync("/invoices");
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await Assertions.Expect(Field(page, "profile-title")).ToHaveValueAsync(company);
            await Field(page, "profile-phone").FillAsync("021-55556666");
            await page.ClickAsync("[data-testid=invoice-request-open]");
            await Field(page, "invoice-amount").FillAsync("100");
            await page.ClickAsync("[data-testid=invoice-request-submit]");
            await Assertions.Expect(page.Locator("[data-testid=invoices-table]")).ToContainTextAsync("¥100.00");
            await Snap(page, "invoice-requested");
        });

        await BrowserTest.RunAsync(operatorPage, $"journey-{device}-issue", async () =>
        {
            await operatorPage.GotoAsync("/admin/invoices");
            await operatorPage.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await operatorPage.Locator("[data-testid=invoice-queue] tr", new() { HasText = company }).Locator("[data-testid=invoice-open]").ClickAsync();
            await operatorPage.ClickAsync("[data-testid=invoice-issue]");
            await Assertions.Expect(operatorPage.Locator("[data-testid=invoice-queue]")).Not.ToContainTextAsync(company);
            await Snap(operatorPage, "invoice-issued");
        });

        await BrowserTest.RunAsync(page, $"journey-{device}-pdf", async () =>
        {
            await page.ReloadAsync();
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            var pdfButton = page.Locator("[data-testid=invoice-pdf]").First;
            await Assertions.Expect(pdfButton).ToBeVisibleAsync();
            var download = await page.RunAndWaitForDownloadAsync(() => pdfButton.ClickAsync());
            using var pdf = PdfDocument.Open(await File.ReadAllBytesAsync(await download.PathAsync()));
            var text = string.Concat(pdf.GetPages().Select(p => p.Text));
            Assert.Contains(company, text);
            Assert.Contains("¥100.00", text);
            Assert.Contains("电子发票凭证", text);
            await Snap(page, "invoice-downloaded");
        });
        await page.Context.CloseAsync();
    }

    private static ILocator Field(IPage page, string testId) => page.Locator($"input[data-testid={testId}], [data-testid={testId}] input").First;

    private async Task<string> LinkAsync(string email, string kind)
    {
        await using var scope = server.Scope();
        var message = await scope.ServiceProvider.GetRequiredService<OutboxQueries>().LatestToAsync(email, kind);
        Assert.NotNull(message);
        return Regex.Match(message!.TextBody, @"https?://\S+").Value;
    }

    /// <summary>What the operator set up beforehand: a cheap model on a simulator channel (a call costs a fraction of a fen).</summary>
    private async Task CatalogAsync()
    {
        await using var scope = server.Scope();
        await Journeys.SimulatorModelAsync(scope.ServiceProvider, "journey-mini", "Journey mini", "旅程模拟上游");
    }
}
