using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Wallet;
using Portal.E2E.Infrastructure;
using Portal.IntegrationTests.Infrastructure;
using Portal.Relay.Keys;

namespace Portal.E2E.Flows;

/// <summary>
/// The Owner turns on masking for cross-border channels, a request with a phone number goes through a simulator channel
/// marked cross-border, and the request log shows 手机号 ×1 (never the number).
/// </summary>
public sealed class DataProtectionFlowTests(PortalServer server) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Owner_masks_cross_border_requests_and_sees_the_phone_number_counted_in_the_request_log()
    {
        const string tenantName = "数据保护演示科技有限公司";
        var (page, email) = await Journeys.SignedInOwnerAsync(server, tenantName);
        await BrowserTest.RunAsync(page, nameof(Owner_masks_cross_border_requests_and_sees_the_phone_number_counted_in_the_request_log), async () =>
        {
            await KycApproval.ApproveAsync(server.Services, email, PortalServer.AdminEmail, tenantName);
            var secret = await PrepareAsync(email);

            await page.GotoAsync("/settings/data-protection");
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await Assertions.Expect(page.Locator("[data-testid=model-regions]")).ToContainTextAsync("e2e-abroad");
            await Assertions.Expect(page.Locator("[data-testid=model-regions]")).ToContainTextAsync("境外");
            await Assertions.Expect(page.Locator("[data-testid=retention]")).ToContainTextAsync("从不保存提示词");
            await page.ClickAsync("[data-testid=policy-pii-Mask]");
            await page.ClickAsync("[data-testid=policy-scope-CrossBorderOnly]");
            await BrowserTest.SnapAsync(page, "90-data-protection-mask-cross-border");
            await page.ClickAsync("[data-testid=policy-save]");
            await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("数据策略已保存");

            using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("{\"model\":\"e2e-abroad\",\"max_tokens\":30,\"messages\":[{\"role\":\"user\",\"content\":\"请回电 13812345678\"}]}", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            using var response = await http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());

            // Settlement is batched: the request log shows the call once it lands.
            await page.GotoAsync("/usage/log");
            var pii = page.Locator("[data-testid=log-pii]");
            for (var attempt = 0; attempt < 20 && await pii.CountAsync() == 0; attempt++)
            {
                await Task.Delay(1_000);
                await page.ReloadAsync();
            }

            await Assertions.Expect(pii).ToHaveTextAsync("手机号 ×1");
            Assert.DoesNotContain("13812345678", await page.ContentAsync());
            await BrowserTest.SnapAsync(page, "91-request-log-pii-counted");
            await page.Locator("[data-testid=log-row]").First.ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=detail-region]")).ToHaveTextAsync("境外");
            await Assertions.Expect(page.Locator("[data-testid=detail-pii]")).ToHaveTextAsync("手机号 ×1");
            await page.WaitForTimeoutAsync(500); // the drawer slides in: let it finish before the screenshot
            await BrowserTest.SnapAsync(page, "92-request-log-detail-region");
        });
    }

    /// <summary>A model on a simulator channel marked cross-border (through the operator's use cases), a balance and a key.</summary>
    private async Task<string> PrepareAsync(string ownerEmail)
    {
        await using var scope = server.Scope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var admin = await db.Users.SingleAsync(u => u.Email == PortalServer.AdminEmail);
        services.GetRequiredService<CurrentUser>().Use(CurrentUser.For(admin.Id, PortalServer.AdminEmail, null, OperatorRoles.PlatformAdmin));
        var model = await services.GetRequiredService<CreateModel.Handler>().HandleAsync(
            new CreateModel.Command("e2e-abroad", "E2E abroad", ModelKind.Chat, "1.05", "4.2", "0.525", 128_000, 16_384, 1_024, ModelTokenizer.O200kBase, true));
        Assert.True(model.IsSuccess, model.Error?.Message);
        var channel = await services.GetRequiredService<CreateChannel.Handler>().HandleAsync(
            new CreateChannel.Command("E2E 境外模拟上游", ChannelType.Simulator, null, null, 0, 1, true, [new ChannelModelMapping("e2e-abroad", null)],
                Region: ChannelRegion.CrossBorder, ProviderCountry: "us"));
        Assert.True(channel.IsSuccess, channel.Error?.Message);
        var owner = await db.Users.SingleAsync(u => u.Email == ownerEmail);
        var tenantId = await db.Memberships.IgnoreTenantFilter().Where(m => m.UserId == owner.Id).Select(m => m.TenantId).SingleAsync();
        var credited = await services.GetRequiredService<PostAdjustment.Handler>().HandleAsync(new PostAdjustment.Command(tenantId, Money.FromYuan(100), "E2E 充值", Guid.NewGuid()));
        Assert.True(credited.IsSuccess, credited.Error?.Message);

        var secret = ApiKeyFormat.Generate();
        using var platform = db.EnterPlatformScope();
        var now = DateTimeOffset.UtcNow;
        db.ApiKeys.Add(new ApiKey
        {
            Id = Ids.New(),
            TenantId = tenantId,
            Name = "数据保护",
            Prefix = ApiKeyFormat.Prefix(secret),
            SecretHash = ApiKeyFormat.Hash(secret),
            Status = ApiKeyStatus.Active,
            CreatedByUserId = owner.Id,
            CreatedAt = now,
            UpdatedAt = now,
        });
        await db.SaveChangesAsync();
        return secret;
    }
}
