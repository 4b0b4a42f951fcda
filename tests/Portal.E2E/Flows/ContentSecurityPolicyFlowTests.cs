using Microsoft.Playwright;
using Portal.E2E.Infrastructure;

namespace Portal.E2E.Flows;

/// <summary>Every page works under the portal's Content Security Policy: no violation reported, the Blazor circuit starts.</summary>
public sealed class ContentSecurityPolicyFlowTests(PortalServer server) : IClassFixture<PortalServer>
{
    private static readonly string[] TenantPages =
    [
        "/", "/wallet", "/wallet/transfers", "/wallet/refunds", "/plans", "/keys", "/usage", "/usage/log", "/usage/bill",
        "/settings/alerts", "/invoices", "/statements", "/members", "/audit", "/verification",
    ];

    private static readonly string[] OperatorPages =
    [
        "/admin", "/admin/dashboard", "/admin/tenants", "/admin/users", "/admin/kyc", "/admin/wallets", "/admin/bank-transfers",
        "/admin/bank-statements", "/admin/refunds", "/admin/invoices", "/admin/payments/notifications", "/admin/payments/reconciliation",
        "/admin/plans", "/admin/models", "/admin/channels", "/admin/audit", "/admin/outbox",
    ];

    private static readonly string[] StaticPages =
    [
        "/Account/Manage", "/Account/Manage/TwoFactorAuthentication", "/Account/Manage/ChangePassword", "/admin/jobs",
    ];

    [Fact]
    public async Task Every_tenant_and_operator_page_works_under_the_CSP()
    {
        var anonymous = await server.NewPageAsync();
        var violations = Watch(anonymous);
        await BrowserTest.RunAsync(anonymous, "csp-anonymous", async () =>
        {
            foreach (var path in new[] { "/Account/Login", "/Account/Register", "/Account/ForgotPassword" })
            {
                var response = await anonymous.GotoAsync(path);
                Assert.Contains("script-src 'self'", (await response!.AllHeadersAsync())["content-security-policy"]);
            }
        });
        Assert.Empty(violations);

        // The watcher does see a violation: an inline script added to the page is refused and reported.
        await anonymous.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.inlineRan = true'; document.head.appendChild(s); }");
        await Assertions.Expect(anonymous.Locator("html")).ToHaveAttributeAsync("lang", new System.Text.RegularExpressions.Regex("."));
        for (var i = 0; i < 50 && violations.Count == 0; i++) await anonymous.WaitForTimeoutAsync(100);
        Assert.Contains(violations, v => v.Contains("inline script", StringComparison.Ordinal) && v.Contains("Content Security Policy", StringComparison.Ordinal));
        Assert.False(await anonymous.EvaluateAsync<bool>("() => window.inlineRan === true"));

        var (owner, _) = await Journeys.SignedInOwnerAsync(server, "内容安全策略科技有限公司");
        var ownerViolations = Watch(owner);
        await BrowserTest.RunAsync(owner, "csp-tenant", () => VisitAsync(owner, TenantPages, interactive: true));
        await BrowserTest.SnapAsync(owner, "csp-tenant-last");
        Assert.Empty(ownerViolations);

        var operatorPage = await Journeys.OperatorWith2faAsync(server);
        var operatorViolations = Watch(operatorPage);
        await BrowserTest.RunAsync(operatorPage, "csp-operator", async () =>
        {
            await VisitAsync(operatorPage, OperatorPages, interactive: true);
            await VisitAsync(operatorPage, StaticPages, interactive: false);
        });
        await BrowserTest.SnapAsync(operatorPage, "csp-operator-last");
        Assert.Empty(operatorViolations);
    }

    private static async Task VisitAsync(IPage page, IEnumerable<string> paths, bool interactive)
    {
        foreach (var path in paths)
        {
            var response = await page.GotoAsync(path);
            Assert.True(response is { Ok: true }, $"{path}: {response?.Status}");
            Assert.DoesNotContain("Account/Login", page.Url, StringComparison.Ordinal);
            if (!interactive) continue;
            // The circuit started and rendered the page; a broken one shows Blazor's reconnect or error UI instead.
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        }
    }

    /// <summary>Collects what the browser reports about the policy ("Refused to …", "… violates the following Content Security Policy …"), script errors and circuit failures.</summary>
    private static List<string> Watch(IPage page)
    {
        var found = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Text.StartsWith("Refused to", StringComparison.Ordinal)
                || (message.Type == "error" && message.Text.Contains("circuit", StringComparison.OrdinalIgnoreCase)))
                lock (found) found.Add($"{page.Url}: {message.Text}");
        };
        page.PageError += (_, error) =>
        {
            lock (found) found.Add($"{page.Url}: page error {error}");
        };
        return found;
    }
}
