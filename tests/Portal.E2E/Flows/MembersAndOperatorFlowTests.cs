using Microsoft.Playwright;
using Portal.E2E.Infrastructure;

namespace Portal.E2E.Flows;

public sealed class MembersAndOperatorFlowTests(PortalServer server) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Owner_invites_a_colleague_from_the_members_page()
    {
        var (page, _) = await Journeys.SignedInOwnerAsync(server, "成员测试有限公司");
        await BrowserTest.RunAsync(page, nameof(Owner_invites_a_colleague_from_the_members_page), async () =>
        {
            // Navigate only once the home page is interactive: a link followed before the circuit starts can be
            // overtaken by the circuit rendering the page it was started on.
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await page.ClickAsync("a[href='/members']");
            await page.WaitForURLAsync("**/members");
            await Assertions.Expect(page.Locator("[data-testid=members-table]")).ToContainTextAsync("王经理");
            await page.Locator("[data-testid=invite-email]").Locator("xpath=descendant-or-self::input").First.FillAsync("colleague@example.test");
            await page.ClickAsync("[data-testid=invite-submit]");
            await Assertions.Expect(page.Locator("[data-testid=invitations-table]")).ToContainTextAsync("colleague@example.test");
            await BrowserTest.SnapAsync(page, "04-members");

            // A malformed address is explained next to the field and nothing is sent.
            await page.Locator("[data-testid=invite-email]").Locator("xpath=descendant-or-self::input").First.FillAsync("not-an-email");
            await page.ClickAsync("[data-testid=invite-submit]");
            await Assertions.Expect(page.Locator(".mud-input-helper-text.mud-input-error")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-testid=invitations-table] tbody tr")).ToHaveCountAsync(1);
        });
    }

    [Fact]
    public async Task Operator_turns_on_2fa_then_reads_tenants_and_outbox()
    {
        var (_, ownerEmail) = await Journeys.SignedInOwnerAsync(server, "运营可见科技有限公司");
        var page = await Journeys.OperatorWith2faAsync(server);
        await BrowserTest.RunAsync(page, nameof(Operator_turns_on_2fa_then_reads_tenants_and_outbox), async () =>
        {
            await Assertions.Expect(page.Locator("[data-testid=tenants-table]")).ToContainTextAsync("运营可见科技有限公司");
            await BrowserTest.SnapAsync(page, "admin-01-tenants");
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await page.ClickAsync("a:has-text('运营可见科技有限公司')");
            await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/admin/tenants/[0-9a-f-]+$"));
            await Assertions.Expect(page.Locator("[data-testid=tenant-detail]")).ToContainTextAsync("运营可见科技有限公司");
            await Assertions.Expect(page.Locator("body")).ToContainTextAsync(ownerEmail);
            await BrowserTest.SnapAsync(page, "admin-02-tenant-detail");
            await page.ClickAsync("[role=tab]:has-text('审计日志')");
            // The action code (tenants.created) is shown by its translated name.
            await Assertions.Expect(page.Locator("[data-testid=audit-table]")).ToContainTextAsync("创建账户");
            await page.GotoAsync("/admin/outbox");
            await Assertions.Expect(page.Locator("body")).ToContainTextAsync("请验证您的邮箱");
            await page.ClickAsync($"td:has-text('{ownerEmail}')");
            await Assertions.Expect(page.Locator("[data-testid=outbox-message]")).ToContainTextAsync("/Account/ConfirmEmail?userId=");
            await BrowserTest.SnapAsync(page, "admin-03-outbox");
            await page.GotoAsync("/admin/audit");
            await Assertions.Expect(page.Locator("[data-testid=audit-table]")).ToContainTextAsync("开启双重验证");
            await BrowserTest.SnapAsync(page, "admin-04-audit");
        });
    }
}
