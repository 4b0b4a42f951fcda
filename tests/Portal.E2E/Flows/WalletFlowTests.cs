using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Notifications;
using Portal.Core.Features.Tenants;
using Portal.E2E.Infrastructure;
using Portal.IntegrationTests.Infrastructure;
using Portal.TestSupport;

namespace Portal.E2E.Flows;

/// <summary>Top-ups in a real browser against the built-in Alipay simulator, whose notifications arrive on their own.</summary>
public sealed class WalletFlowTests(PortalServer server) : IClassFixture<PortalServer>
{
    private const string Password = "E2e-Wallet-Pass-1";

    [Fact]
    public async Task Top_up_through_the_simulator_cashier_and_by_qr_code_updates_the_balance_without_a_refresh()
    {
        var page = await server.NewPageAsync();
        var email = $"wallet-{Guid.NewGuid():N}"[..19] + "@example.test";
        await BrowserTest.RunAsync(page, nameof(Top_up_through_the_simulator_cashier_and_by_qr_code_updates_the_balance_without_a_refresh), async () =>
        {
            await SignUpAndSignInAsync(page, email, "钱包测试科技有限公司");

            await page.GotoAsync("/wallet");
            await Assertions.Expect(page.Locator("[data-testid=wallet-balance]")).ToHaveTextAsync("¥0.00");
            await Assertions.Expect(page.Locator("[data-testid=top-up-submit]")).ToBeEnabledAsync();
            await BrowserTest.SnapAsync(page, "10-wallet-empty");

            // PC cashier: ¥100 preset, the browser goes to the simulator's cashier and pays.
            await page.ClickAsync("[data-testid=preset-100]");
            await page.ClickAsync("[data-testid=channel-page]");
            await page.ClickAsync("[data-testid=top-up-submit]");
            await page.WaitForURLAsync(new Regex("/_simulator/alipay/cashier/"));
            await Assertions.Expect(page.Locator("[data-testid=sim-amount]")).ToHaveTextAsync("¥100.00");
            await BrowserTest.SnapAsync(page, "11-simulator-cashier");
            await page.ClickAsync("[data-testid=sim-pay]");

            await page.WaitForURLAsync(new Regex("/wallet/return"));
            await Assertions.Expect(page.Locator("[data-testid=return-balance]")).ToHaveTextAsync("¥100.00", new() { Timeout = 20_000 });
            await BrowserTest.SnapAsync(page, "12-return-paid");

            // QR code: the page shows the code; "scanning" it in another tab pays; the first tab turns to paid by itself.
            await page.ClickAsync("[data-testid=back-to-wallet]");
            await Assertions.Expect(page.Locator("[data-testid=wallet-balance]")).ToHaveTextAsync("¥100.00");
            await page.ClickAsync("[data-testid=channel-qr]");
            await page.Locator("input[data-testid=custom-amount], [data-testid=custom-amount] input").First.FillAsync("88.80");
            await page.ClickAsync("[data-testid=top-up-submit]");
            await Assertions.Expect(page.Locator("[data-testid=top-up-qr] svg")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-testid=qr-countdown]")).ToContainTextAsync(":");
            await BrowserTest.SnapAsync(page, "13-wallet-qr");

            var scanUrl = await page.Locator("[data-testid=qr-sim-link]").GetAttributeAsync("href");
            var phone = await page.Context.NewPageAsync();
            await phone.GotoAsync(scanUrl!);
            await BrowserTest.SnapAsync(phone, "14-simulator-scan");
            await phone.ClickAsync("[data-testid=sim-pay]");
            await Assertions.Expect(phone.Locator("[data-testid=sim-paid]")).ToBeVisibleAsync();

            await Assertions.Expect(page.Locator("[data-testid=top-up-paid]")).ToBeVisibleAsync(new() { Timeout = 20_000 });
            await Assertions.Expect(page.Locator("[data-testid=wallet-balance]")).ToHaveTextAsync("¥188.80");
            await BrowserTest.SnapAsync(page, "15-wallet-qr-paid");
        });
    }

    [Fact]
    public async Task WeChat_Pay_qr_top_up_through_the_simulator_updates_the_balance_without_a_refresh()
    {
        var page = await server.NewPageAsync();
        var email = $"wxqr-{Guid.NewGuid():N}"[..17] + "@example.test";
        await BrowserTest.RunAsync(page, nameof(WeChat_Pay_qr_top_up_through_the_simulator_updates_the_balance_without_a_refresh), async () =>
        {
            await SignUpAndSignInAsync(page, email, "微信扫码科技有限公司");
            await page.GotoAsync("/wallet");
            await Assertions.Expect(page.Locator("[data-testid=top-up-submit]")).ToBeEnabledAsync();
            // A desktop-wide screen offers the WeChat Pay QR code, not H5.
            await Assertions.Expect(page.Locator("[data-testid=channel-wechat-native]")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-testid=channel-wechat-h5]")).ToHaveCountAsync(0);

            await page.ClickAsync("[data-testid=preset-500]");
            await page.ClickAsync("[data-testid=channel-wechat-native]");
            await page.ClickAsync("[data-testid=top-up-submit]");
            await Assertions.Expect(page.Locator("[data-testid=top-up-qr] svg")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-testid=qr-countdown]")).ToContainTextAsync(":");
            await Assertions.Expect(page.Locator("[data-testid=qr-panel]")).ToContainTextAsync("微信");
            await BrowserTest.SnapAsync(page, "30-wallet-wechat-qr");

            var scanUrl = await page.Locator("[data-testid=qr-sim-link]").GetAttributeAsync("href");
            Assert.Contains("/_simulator/wechatpay/pay/", scanUrl);
            var phone = await page.Context.NewPageAsync();
            await phone.GotoAsync(scanUrl!);
            await Assertions.Expect(phone.Locator("body")).ToContainTextAsync("模拟支付");
            await Assertions.Expect(phone.Locator("[data-testid=sim-amount]")).ToHaveTextAsync("¥500.00");
            await BrowserTest.SnapAsync(phone, "31-wechat-simulator-scan");
            await phone.ClickAsync("[data-testid=sim-pay]");
            await Assertions.Expect(phone.Locator("[data-testid=sim-paid]")).ToBeVisibleAsync();

            await Assertions.Expect(page.Locator("[data-testid=top-up-paid]")).ToBeVisibleAsync(new() { Timeout = 20_000 });
            await Assertions.Expect(page.Locator("[data-testid=wallet-balance]")).ToHaveTextAsync("¥500.00");
            await BrowserTest.SnapAsync(page, "32-wallet-wechat-paid");
        });
    }

    [Fact]
    public async Task On_a_phone_sized_screen_WeChat_Pay_is_offered_as_h5()
    {
        var page = await server.NewPageAsync(width: 390, height: 844);
        var email = $"wxh5-{Guid.NewGuid():N}"[..17] + "@example.test";
        await BrowserTest.RunAsync(page, nameof(On_a_phone_sized_screen_WeChat_Pay_is_offered_as_h5), async () =>
        {
            await SignUpAndSignInAsync(page, email, "微信H5科技有限公司");
            await page.GotoAsync("/wallet");
            await Assertions.Expect(page.Locator("[data-testid=top-up-submit]")).ToBeEnabledAsync();
            await Assertions.Expect(page.Locator("[data-testid=channel-wechat-h5]")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-testid=channel-wechat-native]")).ToHaveCountAsync(0);
            await BrowserTest.SnapAsync(page, "33-wallet-390-h5");

            await page.ClickAsync("[data-testid=preset-100]");
            await page.ClickAsync("[data-testid=channel-wechat-h5]");
            await page.ClickAsync("[data-testid=top-up-submit]");
            await page.WaitForURLAsync(new Regex("/_simulator/wechatpay/h5/"));
            await Assertions.Expect(page.Locator("body")).ToContainTextAsync("H5 支付");
            await BrowserTest.SnapAsync(page, "34-wechat-simulator-h5");
            await page.ClickAsync("[data-testid=sim-pay]");
            await Assertions.Expect(page.Locator("[data-testid=sim-paid]")).ToBeVisibleAsync();

            await page.GotoAsync("/wallet");
            await Assertions.Expect(page.Locator("[data-testid=wallet-balance]")).ToHaveTextAsync("¥100.00", new() { Timeout = 20_000 });
            await BrowserTest.SnapAsync(page, "35-wallet-390-paid");
        });
    }

    [Fact]
    public async Task A_tenant_without_approved_verification_sees_why_it_cannot_top_up()
    {
        var page = await server.NewPageAsync();
        var email = $"nokyc-{Guid.NewGuid():N}"[..18] + "@example.test";
        await BrowserTest.RunAsync(page, nameof(A_tenant_without_approved_verification_sees_why_it_cannot_top_up), async () =>
        {
            await SignUpAndSignInAsync(page, email, "未认证科技有限公司", approve: false);
            await page.GotoAsync("/wallet");
            await Assertions.Expect(page.Locator("[data-testid=top-up-blocked]")).ToContainTextAsync("实名认证");
            await BrowserTest.SnapAsync(page, "16-wallet-kyc-blocked");
        });
    }

    [Fact]
    public async Task Operator_pages_for_wallets_notifications_and_reconciliation_render()
    {
        var page = await server.NewPageAsync();
        await BrowserTest.RunAsync(page, nameof(Operator_pages_for_wallets_notifications_and_reconciliation_render), async () =>
        {
            // The operator console needs 2FA: give the bootstrap admin an authenticator key, then sign in with a code.
            string key;
            await using (var scope = server.Scope())
            {
                var tenant = await scope.ServiceProvider.GetRequiredService<RegisterAccount.Handler>().HandleAsync(new RegisterAccount.Command(
                    $"ops-{Guid.NewGuid():N}"[..16] + "@example.test", Password, "运营测试", "运营视图科技有限公司", TenantKind.Company));
                Assert.True(tenant.IsSuccess);
                var users = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
                var admin = (await users.FindByEmailAsync(PortalServer.AdminEmail))!;
                await users.ResetAuthenticatorKeyAsync(admin);
                key = (await users.GetAuthenticatorKeyAsync(admin))!;
                await users.SetTwoFactorEnabledAsync(admin, true);
            }

            await page.GotoAsync("/Account/Login");
            await page.FillAsync("#email", PortalServer.AdminEmail);
            await page.FillAsync("#password", PortalServer.AdminPassword);
            await page.ClickAsync("[data-testid=login-submit]");
            await page.WaitForURLAsync(new Regex("LoginWith2fa"));
            await page.FillAsync("[id='Input.TwoFactorCode']", Totp.Code(key, DateTimeOffset.UtcNow));
            await page.Locator("form button[type=submit]").First.ClickAsync();
            await page.WaitForURLAsync(url => !url.Contains("LoginWith2fa"));

            await page.GotoAsync("/admin/wallets");
            await Assertions.Expect(page.Locator("[data-testid=wallets-table]")).ToBeVisibleAsync();
            await page.Locator("[data-testid=wallets-table] tbody tr").First.ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=wallet-detail]")).ToBeVisibleAsync();
            await BrowserTest.SnapAsync(page, "20-admin-wallets");
            await page.GotoAsync("/admin/payments/notifications");
            await Assertions.Expect(page.Locator("[data-testid=notifications-table]")).ToBeVisibleAsync();
            await page.Locator("[data-testid=notifications-table] tbody tr").First.ClickAsync();
            await BrowserTest.SnapAsync(page, "21-admin-notifications");
            await page.GotoAsync("/admin/payments/reconciliation");
            await Assertions.Expect(page.Locator("[data-testid=reconciliation-table]")).ToBeVisibleAsync();
            await BrowserTest.SnapAsync(page, "22-admin-reconciliation");
        });
    }

    private async Task SignUpAndSignInAsync(IPage page, string email, string tenantName, bool approve = true)
    {
        string link;
        await using (var scope = server.Scope())
        {
            var registered = await scope.ServiceProvider.GetRequiredService<RegisterAccount.Handler>()
                .HandleAsync(new RegisterAccount.Command(email, Password, "韩梅梅", tenantName, TenantKind.Company));
            Assert.True(registered.IsSuccess, registered.Error?.Message);
            var message = await scope.ServiceProvider.GetRequiredService<OutboxQueries>().LatestToAsync(email, "ConfirmEmail");
            link = Regex.Match(message!.TextBody, @"https?://\S+").Value;
        }

        if (approve) await KycApproval.ApproveAsync(server.Services, email, PortalServer.AdminEmail, tenantName);
        await page.GotoAsync(link);
        await page.GotoAsync("/Account/Login");
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", Password);
        await page.ClickAsync("[data-testid=login-submit]");
        await page.WaitForURLAsync(server.BaseUrl + "/");
    }
}
