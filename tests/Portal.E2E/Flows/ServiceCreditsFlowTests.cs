using Microsoft.Playwright;
using Portal.E2E.Infrastructure;

namespace Portal.E2E.Flows;

/// <summary>An operator sets the pay-as-you-go SLA and the volume tiers on their pages.</summary>
public sealed class ServiceCreditsFlowTests(PortalServer server) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Operator_sets_the_sla_and_the_volume_tiers()
    {
        var admin = await Journeys.OperatorWith2faAsync(server);
        await BrowserTest.RunAsync(admin, nameof(Operator_sets_the_sla_and_the_volume_tiers), async () =>
        {
            await admin.GotoAsync("/admin/sla");
            await admin.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await admin.ClickAsync("[data-testid=sla-save]");
            await Assertions.Expect(admin.Locator("[data-testid=sla-policies]")).ToContainTextAsync("99.9 %");
            await Assertions.Expect(admin.Locator("[data-testid=sla-run]")).ToBeVisibleAsync();
            await BrowserTest.SnapAsync(admin, "90-admin-sla");

            await admin.GotoAsync("/admin/discounts");
            await admin.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await admin.ClickAsync("[data-testid=discount-add]");
            await admin.Locator("input[data-testid=discount-minimum], [data-testid=discount-minimum] input").Last.FillAsync("10000");
            await admin.Locator("input[data-testid=discount-rate], [data-testid=discount-rate] input").Last.FillAsync("10");
            await admin.ClickAsync("[data-testid=discount-save]");
            await Assertions.Expect(admin.Locator(".mud-snackbar")).ToContainTextAsync("已保存");
            await BrowserTest.SnapAsync(admin, "91-admin-discounts");
        });
    }
}
