using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Wallet;
using Portal.E2E.Infrastructure;
using Portal.IntegrationTests.Infrastructure;
using Portal.Relay.Keys;

namespace Portal.E2E.Flows;

/// <summary>
/// Claude through the portal in the browser: the operator adds an <c>Anthropic</c> channel (pointing at a fake
/// Anthropic API this test starts) and a Claude model with prices; a tenant's key calls <c>/v1/messages</c>; the
/// tenant's request log shows the call with surface <c>messages</c>, the channel type and its cost.
/// </summary>
public sealed class AnthropicChannelFlowTests(PortalServer server) : IClassFixture<PortalServer>, IAsyncLifetime
{
    private const string UpstreamKey = "sk-ant-e2e-upstream";
    private const string UpstreamModel = "claude-sonnet-4-20250514";

    /// <summary>Anthropic's documented Messages answer (2,095 input and 503 output tokens).</summary>
    private const string Answer = """{"id":"msg_013Zva2CMHLNnXjNJJKqJ2EF","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[{"type":"text","text":"Hi! My name is Claude."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":2095,"output_tokens":503,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}""";

    private WebApplication? _upstream;
    private readonly ConcurrentQueue<string> _received = new();

    private static ILocator Input(IPage page, string testId) => page.Locator($"input[data-testid={testId}], [data-testid={testId}] input").First;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _upstream = builder.Build();
        _upstream.MapPost("/v1/messages", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            _received.Enqueue(await reader.ReadToEndAsync());
            context.Response.ContentType = "application/json";
            if (context.Request.Headers["x-api-key"] != UpstreamKey || context.Request.Headers["anthropic-version"] != "2023-06-01")
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsync("""{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}""");
                return;
            }

            await context.Response.WriteAsync(Answer);
        });
        await _upstream.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_upstream is not null) await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Operator_adds_an_Anthropic_channel_and_a_Claude_model_and_the_tenant_sees_its_messages_call_with_its_cost()
    {
        var admin = await Journeys.OperatorWith2faAsync(server);
        await BrowserTest.RunAsync(admin, nameof(Operator_adds_an_Anthropic_channel_and_a_Claude_model_and_the_tenant_sees_its_messages_call_with_its_cost), async () =>
        {
            await admin.GotoAsync("/admin/models");
            await admin.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await admin.ClickAsync("[data-testid=model-new]");
            await Input(admin, "model-public-id").FillAsync("e2e-claude");
            await Input(admin, "model-display-name").FillAsync("Claude (E2E)");
            await Input(admin, "model-input-price").FillAsync("21");
            await Input(admin, "model-cached-price").FillAsync("2.1");
            await Input(admin, "model-cache-write-price").FillAsync("26.25");
            await Input(admin, "model-output-price").FillAsync("105");
            await admin.ClickAsync("[data-testid=model-save]");
            var models = admin.Locator("[data-testid=models-table]");
            await Assertions.Expect(models).ToContainTextAsync("e2e-claude");
            await Assertions.Expect(models).ToContainTextAsync("¥26.25");
            await BrowserTest.SnapAsync(admin, "a1-claude-model-created");

            await admin.GotoAsync("/admin/channels");
            await admin.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await admin.ClickAsync("[data-testid=channel-new]");
            await Input(admin, "channel-name").FillAsync("E2E Anthropic");
            await admin.Locator("[data-testid=channel-type]").ClickAsync();
            await admin.Locator(".mud-popover-open .mud-list-item", new() { HasText = "Anthropic" }).First.ClickAsync();
            await Input(admin, "channel-base-url").FillAsync(_upstream!.Urls.First());
            await Input(admin, "channel-api-key").FillAsync(UpstreamKey);
            await Assertions.Expect(admin.Locator("[data-testid=channel-mapping-row]")).ToHaveCountAsync(1);
            await admin.Locator("[data-testid=channel-mapping-row] input").Nth(1).FillAsync(UpstreamModel);
            await BrowserTest.SnapAsync(admin, "a2-anthropic-channel-dialog");
            await admin.ClickAsync("[data-testid=channel-save]");
            var channels = admin.Locator("[data-testid=channels-table]");
            await Assertions.Expect(channels).ToContainTextAsync("E2E Anthropic");
            await Assertions.Expect(channels).ToContainTextAsync("e2e-claude");
            await admin.ClickAsync("[data-testid=channel-test]");
            await Assertions.Expect(admin.Locator("[data-testid=channel-probe-result]")).ToBeVisibleAsync();
            await Assertions.Expect(admin.Locator("[data-testid=channel-probe-message]")).ToContainTextAsync("正常");
            await BrowserTest.SnapAsync(admin, "a3-anthropic-channel-tested");
        });

        const string tenantName = "克劳德调用科技有限公司";
        var (page, email) = await Journeys.SignedInOwnerAsync(server, tenantName);
        await BrowserTest.RunAsync(page, nameof(Operator_adds_an_Anthropic_channel_and_a_Claude_model_and_the_tenant_sees_its_messages_call_with_its_cost), async () =>
        {
            await KycApproval.ApproveAsync(server.Services, email, PortalServer.AdminEmail, tenantName);
            var secret = await FundedKeyAsync(email);

            // What the Anthropic SDKs and Claude Code send: x-api-key, anthropic-version, a system block list.
            using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages?beta=true")
            {
                Content = new StringContent("""{"model":"e2e-claude","max_tokens":1024,"system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"Hello, Claude"}]}""", Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("x-api-key", secret);
            request.Headers.Add("anthropic-version", "2023-06-01");
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal(Answer, body);
            Assert.Contains($"\"model\":\"{UpstreamModel}\"", _received.Last());

            // 2,095 × ¥21 + 503 × ¥105 per 1M tokens = ¥0.09681. Settlement is batched: reload until the row lands.
            await page.GotoAsync("/usage/log");
            var rows = page.Locator("[data-testid=log-row]");
            for (var attempt = 0; attempt < 20 && await rows.CountAsync() == 0; attempt++)
            {
                await Task.Delay(1_000);
                await page.ReloadAsync();
            }

            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await Assertions.Expect(rows).ToHaveCountAsync(1);
            await Assertions.Expect(rows.Locator("[data-testid=log-surface]")).ToHaveTextAsync("messages");
            await Assertions.Expect(rows).ToContainTextAsync("e2e-claude");
            await Assertions.Expect(rows).ToContainTextAsync("¥0.096810");
            await Assertions.Expect(rows).ToContainTextAsync("2,095");
            await BrowserTest.SnapAsync(page, "a4-request-log-messages");
            await rows.First.ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=detail-surface]")).ToHaveTextAsync("messages → Anthropic");
            await Assertions.Expect(page.Locator("[data-testid=detail-cost]")).ToHaveTextAsync("¥0.096810");
            await page.WaitForTimeoutAsync(500); // the drawer slides in
            await BrowserTest.SnapAsync(page, "a5-request-log-messages-detail");
        });
    }

    /// <summary>Finance credits the verified tenant ¥100, and the tenant has an API key (its secret returned).</summary>
    private async Task<string> FundedKeyAsync(string ownerEmail)
    {
        await using var scope = server.Scope();
        var services = scope.ServiceProvider;
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var admin = await db.Users.SingleAsync(u => u.Email == PortalServer.AdminEmail);
        services.GetRequiredService<CurrentUser>().Use(CurrentUser.For(admin.Id, PortalServer.AdminEmail, null, OperatorRoles.PlatformAdmin));
        var membership = await db.Memberships.IgnoreTenantFilter().Where(m => m.User!.Email == ownerEmail).Select(m => new { m.TenantId, m.UserId }).SingleAsync();
        var credited = await services.GetRequiredService<PostAdjustment.Handler>().HandleAsync(new PostAdjustment.Command(membership.TenantId, Money.FromYuan(100), "E2E 充值", Guid.NewGuid()));
        Assert.True(credited.IsSuccess, credited.Error?.Message);

        using var platform = db.EnterPlatformScope();
        var secret = ApiKeyFormat.Generate();
        var now = DateTimeOffset.UtcNow;
        db.ApiKeys.Add(new ApiKey
        {
            Id = Ids.New(),
            TenantId = membership.TenantId,
            Name = "Claude Code",
            Prefix = ApiKeyFormat.Prefix(secret)[..Math.Min(16, ApiKeyFormat.Prefix(secret).Length)],
            SecretHash = ApiKeyFormat.Hash(secret),
            Status = ApiKeyStatus.Active,
            CreatedByUserId = membership.UserId,
            CreatedAt = now,
            UpdatedAt = now,
        });
        await db.SaveChangesAsync();
        return secret;
    }
}
