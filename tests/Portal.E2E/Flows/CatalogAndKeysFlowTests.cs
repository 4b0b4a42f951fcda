using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Wallet;
using Portal.E2E.Infrastructure;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.E2E.Flows;

/// <summary>The relay's management side in the browser: the operator sets up a model and a simulator channel, a tenant creates a key and copies it.</summary>
public sealed class CatalogAndKeysFlowTests(PortalServer server) : IClassFixture<PortalServer>
{
    private static ILocator Input(IPage page, string testId) => page.Locator($"input[data-testid={testId}], [data-testid={testId}] input, textarea[data-testid={testId}], [data-testid={testId}] textarea").First;

    [Fact]
    public async Task Operator_adds_a_model_and_a_simulator_channel()
    {
        var page = await Journeys.OperatorWith2faAsync(server);
        await BrowserTest.RunAsync(page, nameof(Operator_adds_a_model_and_a_simulator_channel), async () =>
        {
            await page.GotoAsync("/admin/models");
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await BrowserTest.SnapAsync(page, "40-models-empty");
            await page.ClickAsync("[data-testid=model-new]");
            await Input(page, "model-public-id").FillAsync("e2e-gpt");
            await Input(page, "model-display-name").FillAsync("E2E GPT");
            await Input(page, "model-input-price").FillAsync("21");
            await Input(page, "model-cached-price").FillAsync("10.5");
            await Input(page, "model-output-price").FillAsync("0.0000001");
            await page.ClickAsync("[data-testid=model-save]");
            // A price finer than a micro-yuan is refused with a message on the field.
            await Assertions.Expect(page.Locator("[data-testid=model-dialog]")).ToContainTextAsync("6 位小数");
            await BrowserTest.SnapAsync(page, "41-model-field-error");
            await Input(page, "model-output-price").FillAsync("105");
            await page.ClickAsync("[data-testid=model-save]");
            var table = page.Locator("[data-testid=models-table]");
            await Assertions.Expect(table).ToContainTextAsync("e2e-gpt");
            await Assertions.Expect(table).ToContainTextAsync("¥105.00");
            await Assertions.Expect(table).ToContainTextAsync("¥10.50");
            await BrowserTest.SnapAsync(page, "42-model-created");

            await page.GotoAsync("/admin/channels");
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await page.ClickAsync("[data-testid=channel-new]");
            await Input(page, "channel-name").FillAsync("E2E 模拟器");
            await Input(page, "channel-sim-latency").FillAsync("50");
            await Assertions.Expect(page.Locator("[data-testid=channel-mapping-row]")).ToHaveCountAsync(1);
            await BrowserTest.SnapAsync(page, "43-channel-dialog");
            await page.ClickAsync("[data-testid=channel-save]");
            var channels = page.Locator("[data-testid=channels-table]");
            await Assertions.Expect(channels).ToContainTextAsync("E2E 模拟器");
            await Assertions.Expect(channels).ToContainTextAsync("e2e-gpt");
            await Assertions.Expect(channels).ToContainTextAsync("50 毫秒");
            await page.ClickAsync("[data-testid=channel-test]");
            await Assertions.Expect(page.Locator("[data-testid=channel-probe-result]")).ToBeVisibleAsync();
            // The probe's message is in the reader's language, not "OK: e2e-gpt answered in 50 ms."
            await Assertions.Expect(page.Locator("[data-testid=channel-probe-message]")).ToContainTextAsync(new Regex("^正常：.+ 在 \\d+ 毫秒内应答。$"));
            await BrowserTest.SnapAsync(page, "44-channel-created");
        });
    }

    [Fact]
    public async Task Tenant_creates_a_key_copies_it_calls_the_relay_and_sees_the_spend()
    {
        const string tenantName = "密钥演示科技有限公司";
        var (page, email) = await Journeys.SignedInOwnerAsync(server, tenantName);
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await BrowserTest.RunAsync(page, nameof(Tenant_creates_a_key_copies_it_calls_the_relay_and_sees_the_spend), async () =>
        {
            // Before verification the page explains why keys cannot be created yet.
            await page.GotoAsync("/keys");
            await Assertions.Expect(page.Locator("[data-testid=kyc-gate]")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-testid=key-new]")).ToBeDisabledAsync();
            await BrowserTest.SnapAsync(page, "45-keys-kyc-gate");

            await KycApproval.ApproveAsync(server.Services, email, PortalServer.AdminEmail, tenantName);
            await PrepareRelayAsync(email);
            await page.GotoAsync("/keys");
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await Assertions.Expect(page.Locator("[data-testid=keys-table]")).ToContainTextAsync("还没有 API 密钥");
            await page.ClickAsync("[data-testid=key-new]");
            await Input(page, "key-name").FillAsync("生产服务器");
            await Input(page, "key-ips").FillAsync("127.0.0.1, ::1");
            await Input(page, "key-budget").FillAsync("500");
            await BrowserTest.SnapAsync(page, "46-key-create");
            await page.ClickAsync("[data-testid=key-create]");

            await Assertions.Expect(page.Locator("[data-testid=key-secret-warning]")).ToContainTextAsync("将无法再次查看");
            var secret = await Input(page, "key-secret").InputValueAsync();
            Assert.Matches("^sk-cn-[0-9A-Za-z]{48}$", secret);
            await page.ClickAsync("[data-testid=key-copy]");
            await Assertions.Expect(page.Locator("[data-testid=key-copied]")).ToContainTextAsync("已复制");
            Assert.Equal(secret, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
            await BrowserTest.SnapAsync(page, "47-key-secret-once");
            await page.ClickAsync("[data-testid=key-secret-done]");

            // The list shows the key by its prefix; the secret is not on the page any more.
            var row = page.Locator("[data-testid=keys-table]");
            await Assertions.Expect(row.Locator("[data-testid=key-prefix]")).ToContainTextAsync(secret[..10]);
            await Assertions.Expect(row).ToContainTextAsync("¥0.00");
            Assert.DoesNotContain(secret, await page.ContentAsync());
            await BrowserTest.SnapAsync(page, "48-keys-list");

            await row.Locator("[data-testid=key-link]").ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=key-detail-ips]")).ToContainTextAsync("127.0.0.1/32, ::1/128");
            await Assertions.Expect(page.Locator("[data-testid=key-detail-budget]")).ToContainTextAsync("¥500.00");
            await BrowserTest.SnapAsync(page, "49-key-detail");

            // The copied key works against the relay, as any OpenAI client would use it.
            using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent("{\"model\":\"e2e-mini\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"你好\"}]}", Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.Contains("\"usage\"", body);

            // Settlement is batched: the key's page shows the spend once it lands.
            var spend = page.Locator("[data-testid=key-detail-spend]");
            for (var attempt = 0; attempt < 20 && (await spend.InnerTextAsync()).Trim() == "¥0.00"; attempt++)
            {
                await Task.Delay(1_000);
                await page.ReloadAsync();
            }

            await Assertions.Expect(spend).Not.ToHaveTextAsync("¥0.00");
            await Assertions.Expect(page.Locator("[data-testid=key-detail-spend] + *")).ToContainTextAsync("1 次请求");
            await Assertions.Expect(page.Locator("[data-testid=key-detail-models]")).ToBeVisibleAsync();
            await BrowserTest.SnapAsync(page, "50-key-spend-after-call");
            await page.GotoAsync("/keys");
            await Assertions.Expect(page.Locator("[data-testid=key-spend]").First).Not.ToHaveTextAsync("¥0.00");
            await BrowserTest.SnapAsync(page, "51-keys-list-with-spend");
        });
    }

    /// <summary>What the operator and finance set up before a tenant can call: a model on a simulator channel and a balance.</summary>
    private async Task PrepareRelayAsync(string ownerEmail)
    {
        await using var scope = server.Scope();
        var services = scope.ServiceProvider;
        await Journeys.SimulatorModelAsync(services, "e2e-mini", "E2E mini", "E2E 密钥模拟上游");
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var tenantId = await db.Memberships.IgnoreTenantFilter().Where(m => m.User!.Email == ownerEmail).Select(m => m.TenantId).SingleAsync();
        var credited = await services.GetRequiredService<PostAdjustment.Handler>().HandleAsync(new PostAdjustment.Command(tenantId, Money.FromYuan(100), "E2E 充值", Guid.NewGuid()));
        Assert.True(credited.IsSuccess, credited.Error?.Message);
    }
}
