using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Wallet;
using Portal.E2E.Infrastructure;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.E2E.Flows;

/// <summary>An operator puts a plan on sale; a tenant buys it from the balance and sees it on the overview.</summary>
public sealed class PlansFlowTests(PortalServer server) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Operator_creates_a_plan_tenant_buys_it_and_the_overview_shows_the_plan_and_its_credit()
    {
        const string tenantName = "套餐演示科技有限公司";
        var planName = "E2E基础套餐" + Guid.NewGuid().ToString("N")[..4];
        var (page, email) = await Journeys.SignedInOwnerAsync(server, tenantName);
        var admin = await Journeys.OperatorWith2faAsync(server);
        await BrowserTest.RunAsync(page, nameof(Operator_creates_a_plan_tenant_buys_it_and_the_overview_shows_the_plan_and_its_credit), async () =>
        {
            await admin.GotoAsync("/admin/plans");
            await admin.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await admin.Locator("input[data-testid=plan-name-input], [data-testid=plan-name-input] input").First.FillAsync(planName);
            await admin.Locator("input[data-testid=plan-price-input], [data-testid=plan-price-input] input").First.FillAsync("3000");
            await admin.Locator("input[data-testid=plan-credit-input], [data-testid=plan-credit-input] input").First.FillAsync("3900");
            await admin.ClickAsync("[data-testid=plan-save]");
            await Assertions.Expect(admin.Locator("[data-testid=plans-table]")).ToContainTextAsync(planName);
            await Assertions.Expect(admin.Locator("[data-testid=plans-table]")).ToContainTextAsync("23%");
            await BrowserTest.SnapAsync(admin, "60-admin-plans");

            await KycApproval.ApproveAsync(server.Services, email, PortalServer.AdminEmail, tenantName);
            var tenantId = await TenantOfAsync(email);
            await CreditAsync(tenantId, Money.FromYuan(1000), "E2E 充值");

            await page.GotoAsync("/");
            await Assertions.Expect(page.Locator("[data-testid=plan-summary-link]")).ToBeVisibleAsync();
            await page.GotoAsync("/plans");
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await Assertions.Expect(page.Locator("[data-testid=expiry-statement]")).ToContainTextAsync("不予退款");
            await Assertions.Expect(page.Locator("[data-testid=payg-card]")).ToBeVisibleAsync();
            var card = page.Locator("[data-testid=plan-card]", new() { HasText = planName });
            await Assertions.Expect(card.Locator("[data-testid=plan-saving]")).ToContainTextAsync("23");
            await BrowserTest.SnapAsync(page, "61-plans-catalogue");

            // Too little balance: a clear message with a link to top up; nothing changes.
            await card.Locator("[data-testid=plan-buy]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=purchase-dialog]")).ToContainTextAsync("不予退款");
            await BrowserTest.SnapAsync(page, "62-plans-confirm");
            await page.ClickAsync("[data-testid=purchase-confirm]");
            await Assertions.Expect(page.Locator("[data-testid=purchase-error]")).ToContainTextAsync("余额不足");
            await Assertions.Expect(page.Locator("[data-testid=purchase-top-up]")).ToHaveAttributeAsync("href", "/wallet");
            await BrowserTest.SnapAsync(page, "63-plans-insufficient");

            // After a top-up the same dialog buys the plan.
            await CreditAsync(tenantId, Money.FromYuan(3000), "E2E 再充值");
            await page.ClickAsync("[data-testid=purchase-confirm]");
            await Assertions.Expect(page.Locator("[data-testid=current-plan-name]")).ToHaveTextAsync(planName);
            await Assertions.Expect(page.Locator("[data-testid=current-plan-credit]")).ToHaveTextAsync("¥3,900.00");
            await Assertions.Expect(page.Locator("[data-testid=plan-periods]")).ToContainTextAsync("¥3,000.00");
            await BrowserTest.SnapAsync(page, "64-plans-bought");

            await page.GotoAsync("/");
            await Assertions.Expect(page.Locator("[data-testid=plan-summary-name]")).ToHaveTextAsync(planName);
            await Assertions.Expect(page.Locator("[data-testid=plan-summary-credit]")).ToHaveTextAsync("¥3,900.00");
            await Assertions.Expect(page.Locator("[data-testid=plan-summary-used]")).ToContainTextAsync("¥0.00");
            await BrowserTest.SnapAsync(page, "65-overview-with-plan");

            await page.GotoAsync("/wallet");
            await Assertions.Expect(page.Locator("[data-testid=wallet-balance]")).ToHaveTextAsync("¥1,000.00");
        });
    }

    private async Task<Guid> TenantOfAsync(string email)
    {
        await using var scope = server.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Memberships.IgnoreTenantFilter().Where(m => m.User!.Email == email).Select(m => m.TenantId).SingleAsync();
    }

    private async Task CreditAsync(Guid tenantId, Money amount, string memo)
    {
        await using var scope = server.Scope();
        var admin = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(PortalServer.AdminEmail);
        scope.ServiceProvider.GetRequiredService<CurrentUser>().Use(CurrentUser.For(admin!.Id, admin.Email!, null, OperatorRoles.PlatformAdmin));
        var posted = await scope.ServiceProvider.GetRequiredService<PostAdjustment.Handler>().HandleAsync(new PostAdjustment.Command(tenantId, amount, memo, Guid.NewGuid()));
        Assert.True(posted.IsSuccess, posted.Error?.Message);
    }
}
