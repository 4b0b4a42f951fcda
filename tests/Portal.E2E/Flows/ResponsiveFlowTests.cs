using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Wallet;
using Portal.E2E.Infrastructure;

namespace Portal.E2E.Flows;

/// <summary>The tenant pages on a 390×844 phone, the operator's wide tables at 1366 px, and the small things around them.</summary>
public sealed class ResponsiveFlowTests(PortalServer server) : IClassFixture<PortalServer>
{
    private const string LongName = "上海星辰大海人工智能科技发展股份有限公司";

    [Fact]
    public async Task On_a_phone_the_top_bar_stays_one_line_and_table_cards_keep_their_labels()
    {
        var (page, email) = await Journeys.SignedInOwnerAsync(server, LongName);
        await BrowserTest.RunAsync(page, nameof(On_a_phone_the_top_bar_stays_one_line_and_table_cards_keep_their_labels), async () =>
        {
            await CreditAsync(email, "E2E 手机测试");
            await page.SetViewportSizeAsync(390, 844);
            await page.GotoAsync("/wallet");
            await Assertions.Expect(page.Locator("[data-testid=wallet-available-breakdown]")).ToContainTextAsync("套餐额度");

            // The tenant name is cut with an ellipsis on one line, inside the viewport.
            var tenant = page.Locator("button.tenant-button");
            var box = await LaidOutBoxAsync(tenant);
            Assert.True(box.Height < 48, $"tenant button is {box.Height} px tall");
            Assert.True(box.X + box.Width <= 390, $"tenant button ends at {box.X + box.Width}");
            Assert.Equal(0, await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth"));

            // The unverified tenant is told where to verify.
            await Assertions.Expect(page.Locator("[data-testid=top-up-verify-link]")).ToHaveAttributeAsync("href", "/verification");

            // Ledger rows are cards whose every value is labelled with its column.
            var cells = page.Locator("[data-testid=ledger-table] tbody tr").First.Locator("td");
            await Assertions.Expect(cells.First).ToHaveAttributeAsync("data-label", "时间");
            var labels = await cells.EvaluateAllAsync<string[]>("tds => tds.map(td => td.getAttribute('data-label') || '')");
            Assert.All(labels, l => Assert.False(string.IsNullOrWhiteSpace(l)));
            Assert.Contains("类型", labels);
            await BrowserTest.SnapAsync(page, "90-phone-wallet");

            // The language switch is a named button.
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "语言 / Language", Exact = true }).Last).ToBeVisibleAsync();
            Assert.Equal("语言 / Language", await page.Locator("button[data-testid=language-button]").GetAttributeAsync("aria-label"));

            // "请求日志 →" never breaks inside the word.
            await page.GotoAsync("/");
            var log = page.GetByRole(AriaRole.Link, new() { Name = "请求日志 →" }).First;
            await Assertions.Expect(log).ToBeVisibleAsync();
            var logBox = await LaidOutBoxAsync(log);
            Assert.True(logBox.Height < 30, $"the request-log link is {logBox.Height} px tall");

            await BrowserTest.SnapAsync(page, "91-phone-overview");
        });
    }

    [Fact]
    public async Task Favicon_is_served()
    {
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        var response = await http.GetAsync("/favicon.ico");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/x-icon", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0, 0, 1, 0 }, bytes[..4]);
    }

    [Fact]
    public async Task At_1366_px_the_channels_table_scrolls_inside_its_card()
    {
        await using (var scope = server.Scope())
        {
            var services = scope.ServiceProvider;
            await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            var admin = await db.Users.SingleAsync(u => u.Email == PortalServer.AdminEmail);
            services.GetRequiredService<CurrentUser>().Use(CurrentUser.For(admin.Id, PortalServer.AdminEmail, null, OperatorRoles.PlatformAdmin));
            var mappings = Enumerable.Range(1, 6).Select(i => new ChannelModelMapping($"wide-model-{i}", $"upstream-provider/very-long-upstream-model-name-{i}")).ToList();
            foreach (var m in mappings)
            {
                var model = await services.GetRequiredService<CreateModel.Handler>().HandleAsync(
                    new CreateModel.Command(m.PublicModelId, m.PublicModelId, ModelKind.Chat, "1", "2", "0.5", 128_000, 16_384, 1_024, ModelTokenizer.O200kBase, true));
                Assert.True(model.IsSuccess, model.Error?.Message);
            }

            var channel = await services.GetRequiredService<CreateChannel.Handler>().HandleAsync(
                new CreateChannel.Command("宽表格测试渠道（很长的名字用于测试布局）", ChannelType.Simulator, null, null, 0, 1, true, mappings));
            Assert.True(channel.IsSuccess, channel.Error?.Message);
        }

        var page = await Journeys.OperatorWith2faAsync(server);
        await BrowserTest.RunAsync(page, nameof(At_1366_px_the_channels_table_scrolls_inside_its_card), async () =>
        {
            await page.GotoAsync("/admin/channels");
            var test = page.Locator("[data-testid=channel-test]").First;
            await Assertions.Expect(test).ToBeVisibleAsync();
            Assert.Equal(0, await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth"));
            Assert.True((await LaidOutBoxAsync(test)).Height < 40, "立即测试 wraps");
            await BrowserTest.SnapAsync(page, "92-channels-1366");
        });
    }

    /// <summary>
    /// The element's box once it is on screen: Blazor re-renders rows (the channel health refreshes every 5 s, the circuit
    /// replaces the prerendered page), and a box read in between is null.
    /// </summary>
    private static async Task<LocatorBoundingBoxResult> LaidOutBoxAsync(ILocator locator)
    {
        for (var attempt = 0; ; attempt++)
        {
            await Assertions.Expect(locator).ToBeVisibleAsync();
            if (await locator.BoundingBoxAsync() is { } box) return box;
            if (attempt == 20) throw new InvalidOperationException("the element never stayed laid out");
            await Task.Delay(100);
        }
    }

    private async Task CreditAsync(string ownerEmail, string memo)
    {
        await using var scope = server.Scope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var admin = await db.Users.SingleAsync(u => u.Email == PortalServer.AdminEmail);
        services.GetRequiredService<CurrentUser>().Use(CurrentUser.For(admin.Id, PortalServer.AdminEmail, null, OperatorRoles.PlatformAdmin));
        var tenantId = await db.Memberships.IgnoreTenantFilter().Where(m => m.User!.Email == ownerEmail).Select(m => m.TenantId).SingleAsync();
        var credited = await services.GetRequiredService<PostAdjustment.Handler>().HandleAsync(new PostAdjustment.Command(tenantId, Money.FromYuan(10), memo, Guid.NewGuid()));
        Assert.True(credited.IsSuccess, credited.Error?.Message);
    }
}
