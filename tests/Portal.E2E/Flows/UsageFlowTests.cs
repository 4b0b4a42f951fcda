using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Usage;
using Portal.Core.Features.Wallet;
using Portal.E2E.Infrastructure;

namespace Portal.E2E.Flows;

/// <summary>After some API calls, the overview chart and the request log show them and the CSV export downloads.</summary>
public sealed class UsageFlowTests(PortalServer server) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Relayed_calls_show_on_the_overview_and_in_the_request_log_and_the_csv_downloads()
    {
        var (page, email) = await Journeys.SignedInOwnerAsync(server, "用量测试科技有限公司");
        await BrowserTest.RunAsync(page, nameof(Relayed_calls_show_on_the_overview_and_in_the_request_log_and_the_csv_downloads), async () =>
        {
            await page.GotoAsync("/");
            await Assertions.Expect(page.Locator("[data-testid=overview-usage-empty]")).ToBeVisibleAsync();
            await BrowserTest.SnapAsync(page, "60-overview-no-usage");

            await RecordCallsAsync(email, "生产, \"主\"密钥");

            await page.ReloadAsync();
            await Assertions.Expect(page.Locator("[data-testid=overview-chart] svg")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-testid=overview-spend-today]")).ToHaveTextAsync("¥0.75");
            await BrowserTest.SnapAsync(page, "61-overview-with-usage");

            await page.GotoAsync("/usage/log");
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await Assertions.Expect(page.Locator("[data-testid=log-row]")).ToHaveCountAsync(3);
            await page.Locator("[data-testid=log-row]").First.ClickAsync();
            await Assertions.Expect(page.Locator("[data-testid=log-detail]")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-testid=detail-cost]")).ToContainTextAsync("¥0.");
            await page.WaitForTimeoutAsync(500); // the drawer slides in: let it finish before the screenshot
            await BrowserTest.SnapAsync(page, "62-request-log-detail");
            await page.ClickAsync("[data-testid=detail-close]");
            await Assertions.Expect(page.Locator("[data-testid=log-detail]")).ToBeHiddenAsync();

            var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("[data-testid=export-csv]"));
            var path = Path.Combine(Path.GetTempPath(), "portal-e2e", Guid.NewGuid().ToString("N") + ".csv");
            await download.SaveAsAsync(path);
            var bytes = await File.ReadAllBytesAsync(path);
            Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
            var text = System.Text.Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
            Assert.Equal(4, text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.Contains("\"生产, \"\"主\"\"密钥\"", text);
            Assert.EndsWith(".csv", download.SuggestedFilename);
            await Assertions.Expect(page.Locator("[data-testid=export-done]")).ToBeVisibleAsync();
            await BrowserTest.SnapAsync(page, "63-request-log-exported");

            await page.GotoAsync("/usage");
            await Assertions.Expect(page.Locator("[data-testid=usage-spend-chart] svg")).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("[data-testid=usage-total-requests]")).ToHaveTextAsync("3");
            await BrowserTest.SnapAsync(page, "64-usage-charts");

            await page.GotoAsync("/usage/bill");
            await Assertions.Expect(page.Locator("[data-testid=bill-requests]")).ToHaveTextAsync("3");
            await BrowserTest.SnapAsync(page, "65-bill-check");
        });
    }

    /// <summary>What the relay's settlement writer does for three calls: records, wallet, roll-ups, one transaction.</summary>
    private async Task RecordCallsAsync(string email, string keyName)
    {
        await using var scope = server.Scope();
        var services = scope.ServiceProvider;
        var user = await services.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(email);
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var tenantId = await db.Memberships.IgnoreTenantFilter().Where(m => m.UserId == user!.Id).Select(m => m.TenantId).SingleAsync();

        var admin = await services.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(PortalServer.AdminEmail);
        services.GetRequiredService<CurrentUser>().Use(CurrentUser.For(admin!.Id, admin.Email!, null, OperatorRoles.PlatformAdmin));
        var credited = await services.GetRequiredService<PostAdjustment.Handler>().HandleAsync(new PostAdjustment.Command(tenantId, Money.FromYuan(100), "E2E usage", Guid.NewGuid()));
        Assert.True(credited.IsSuccess);

        using var platform = db.EnterPlatformScope();
        var now = DateTimeOffset.UtcNow;
        var key = new ApiKey { Id = Ids.New(), TenantId = tenantId, Name = keyName, Prefix = "sk-cn-e2e1", SecretHash = new string('a', 60) + "e2e1", Status = ApiKeyStatus.Active, CreatedByUserId = user!.Id, CreatedAt = now, UpdatedAt = now };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync();

        var batch = Enumerable.Range(0, 3).Select(i => new UsageRecord
        {
            Id = Ids.New(),
            TenantId = tenantId,
            ApiKeyId = key.Id,
            RequestId = $"req_e2e_{i}_{Guid.NewGuid():N}",
            At = now.AddSeconds(-10 + i),
            Endpoint = UsageEndpoint.ChatCompletions,
            Model = i == 2 ? "deepseek-chat" : "gpt-4o",
            InputTokens = 1000,
            OutputTokens = 500,
            InputPricePerMillionMicroYuan = 100_000_000,
            OutputPricePerMillionMicroYuan = 300_000_000,
            CostMicroYuan = 250_000,
            WalletChargedMicroYuan = 250_000,
            HoldMicroYuan = 300_000,
            Status = UsageStatus.Succeeded,
            HttpStatus = 200,
            Stream = i == 0,
            LatencyMs = 900,
            TimeToFirstTokenMs = i == 0 ? 180 : null,
            ClientIp = "203.0.113.9",
        }).ToList();
        await using var transaction = await db.Database.BeginTransactionAsync();
        db.UsageRecords.AddRange(batch);
        await db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == tenantId).ExecuteUpdateAsync(s => s.SetProperty(w => w.BalanceMicroYuan, w => w.BalanceMicroYuan - 750_000));
        foreach (var observer in services.GetServices<IUsageBatchObserver>()) await observer.OnBatchAsync(db, batch, CancellationToken.None);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();
    }
}
