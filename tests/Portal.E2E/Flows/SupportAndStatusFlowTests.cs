using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Status;
using Portal.Core.Features.Usage;
using Portal.E2E.Infrastructure;

namespace Portal.E2E.Flows;

/// <summary>
/// A tenant opens a P2 ticket quoting a request id; the operator opens the request from the ticket and answers; the
/// tenant sees the answer and the answer email is in the outbox. The public status page renders for a visitor.
/// </summary>
public sealed class SupportAndStatusFlowTests(PortalServer server) : IClassFixture<PortalServer>
{
    [Fact]
    public async Task Tenant_opens_a_P2_ticket_with_a_request_id_the_operator_answers_and_the_tenant_sees_it_and_is_emailed()
    {
        const string tenantName = "工单演示科技有限公司";
        var subject = "E2E 接口 502 " + Guid.NewGuid().ToString("N")[..4];
        var (page, email) = await Journeys.SignedInOwnerAsync(server, tenantName);
        var requestId = await SeedFailedRequestAsync(email);
        var admin = await Journeys.OperatorWith2faAsync(server);
        await BrowserTest.RunAsync(page, nameof(Tenant_opens_a_P2_ticket_with_a_request_id_the_operator_answers_and_the_tenant_sees_it_and_is_emailed), async () =>
        {
            await page.GotoAsync("/support");
            await page.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await page.Locator("input[data-testid=ticket-subject], [data-testid=ticket-subject] input").First.FillAsync(subject);
            await page.Locator("[data-testid=ticket-priority]").ClickAsync();
            await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = "P2" }).ClickAsync();
            await page.Locator("textarea[data-testid=ticket-description], [data-testid=ticket-description] textarea").First.FillAsync("调用 /v1/chat/completions 返回 502，影响生产。");
            await page.Locator("input[data-testid=ticket-request-ids], [data-testid=ticket-request-ids] input").First.FillAsync(requestId);
            await BrowserTest.SnapAsync(page, "80-support-new-ticket");
            await page.ClickAsync("[data-testid=ticket-submit]");
            await Assertions.Expect(page.Locator("[data-testid=ticket-subject-title]")).ToHaveTextAsync(subject);
            await Assertions.Expect(page.Locator("body")).ToContainTextAsync("P2");
            await Assertions.Expect(page.Locator("body")).ToContainTextAsync(requestId);
            await BrowserTest.SnapAsync(page, "81-support-ticket-opened");
            var ticketUrl = page.Url;

            // The operator finds it in the queue, opens the quoted request, and answers.
            await admin.GotoAsync("/admin/support");
            await admin.Locator("[data-testid=queue-ticket-link]", new() { HasText = subject }).ClickAsync();
            await Assertions.Expect(admin.Locator("[data-testid=ticket-request-link]")).ToHaveTextAsync(requestId);
            await BrowserTest.SnapAsync(admin, "82-support-operator-ticket");
            var ticketAdminUrl = admin.Url;
            await admin.Locator("[data-testid=ticket-request-link]").ClickAsync();
            await Assertions.Expect(admin.Locator("[data-testid=request-status]")).ToContainTextAsync("502");
            await BrowserTest.SnapAsync(admin, "83-support-operator-request");
            await admin.GotoAsync(ticketAdminUrl);
            await admin.Locator("[data-testid=circuit-ready]").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await admin.Locator("textarea[data-testid=ticket-answer-input], [data-testid=ticket-answer-input] textarea").First.FillAsync("您好，上游渠道已切换，请重试。");
            await admin.ClickAsync("[data-testid=ticket-answer-send]");
            await Assertions.Expect(admin.Locator("[data-testid=ticket-answer]")).ToContainTextAsync("上游渠道已切换");

            // The tenant sees the answer, and the answer was emailed to the author.
            await page.GotoAsync(ticketUrl);
            await Assertions.Expect(page.Locator("[data-testid=ticket-answer]")).ToContainTextAsync("上游渠道已切换");
            await BrowserTest.SnapAsync(page, "84-support-ticket-answered");
            await using var scope = server.Scope();
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            var mail = await db.OutboxMessages.AsNoTracking().Where(m => m.To == email && m.Kind == "support.to_customer").ToListAsync();
            Assert.Single(mail);
            // The email names the ticket and links to it (the answer itself is read in the portal).
            Assert.Contains(subject, mail[0].TextBody, StringComparison.Ordinal);
            Assert.Contains(new Uri(ticketUrl).AbsolutePath, mail[0].TextBody, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task An_anonymous_visitor_sees_the_status_page()
    {
        var model = $"status-e2e-{Guid.NewGuid():N}"[..18];
        await ArrangeStatusAsync(model);
        var page = await server.NewPageAsync();
        await BrowserTest.RunAsync(page, nameof(An_anonymous_visitor_sees_the_status_page), async () =>
        {
            var response = await page.GotoAsync("/status");
            Assert.Equal(200, response!.Status);
            Assert.DoesNotContain("Account/Login", page.Url, StringComparison.Ordinal);
            await Assertions.Expect(page.Locator("[data-testid=status-overall]")).ToBeVisibleAsync();
            var row = page.Locator("[data-testid=status-model]", new() { HasText = model });
            await Assertions.Expect(row.Locator("[data-testid=status-figure]")).ToContainTextAsync("%");
            await Assertions.Expect(page.Locator("body")).ToContainTextAsync("E2E 上游延迟升高");
            await BrowserTest.SnapAsync(page, "85-status-anonymous");

            var english = await server.NewPageAsync(locale: "en-US");
            await english.GotoAsync("/status");
            await Assertions.Expect(english.Locator("[data-testid=status-overall]")).ToBeVisibleAsync();
            await BrowserTest.SnapAsync(english, "86-status-anonymous-en");
        });
    }

    /// <summary>An enabled model with a week of measured days (one bad day) and an open incident naming it.</summary>
    private async Task ArrangeStatusAsync(string model)
    {
        await using var scope = server.Scope();
        var services = scope.ServiceProvider;
        var admin = await services.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<PortalUser>>().FindByEmailAsync(PortalServer.AdminEmail);
        services.GetRequiredService<CurrentUser>().Use(CurrentUser.For(admin!.Id, admin.Email!, null, OperatorRoles.PlatformAdmin));
        var created = await services.GetRequiredService<CreateModel.Handler>().HandleAsync(new CreateModel.Command(
            model, "状态页演示模型", ModelKind.Chat, "1", "2", "0.5", 128_000, 8_192, 1_024, ModelTokenizer.O200kBase, Enabled: true));
        Assert.True(created.IsSuccess, created.Error?.Message);
        await using (var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            var today = ChinaTime.Today(TimeProvider.System);
            for (var i = 1; i <= 7; i++)
            {
                db.Set<ModelAvailabilityDay>().Add(new ModelAvailabilityDay { Model = model, Day = UsageBuckets.DayKey(today.AddDays(-i)), Requests = 10_000, PlatformFailures = i == 3 ? 150 : 2 });
            }

            await db.SaveChangesAsync();
        }

        var incident = await services.GetRequiredService<PostIncident.Handler>().HandleAsync(new PostIncident.Command(
            null, "E2E 上游延迟升高", IncidentImpact.Degraded, IncidentStatus.Investigating, [model], "正在排查上游渠道。"));
        Assert.True(incident.IsSuccess, incident.Error?.Message);
    }

    /// <summary>A failed request in the tenant's request log (what a customer would quote from x-request-id).</summary>
    private async Task<string> SeedFailedRequestAsync(string email)
    {
        await using var scope = server.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        using var platform = db.EnterPlatformScope();
        var membership = await db.Memberships.IgnoreTenantFilter().Include(m => m.User).FirstAsync(m => m.User!.Email == email);
        var now = DateTimeOffset.UtcNow;
        var key = new ApiKey
        {
            Id = Ids.New(),
            TenantId = membership.TenantId,
            Name = "生产",
            Prefix = "sk-cn-" + Guid.NewGuid().ToString("N")[..4],
            SecretHash = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
            Status = ApiKeyStatus.Active,
            CreatedByUserId = membership.UserId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var requestId = "req_" + Guid.NewGuid().ToString("N");
        db.ApiKeys.Add(key);
        db.UsageRecords.Add(new UsageRecord
        {
            Id = Ids.New(),
            TenantId = membership.TenantId,
            ApiKeyId = key.Id,
            RequestId = requestId,
            At = now,
            Endpoint = UsageEndpoint.ChatCompletions,
            Model = "deepseek-chat",
            Status = UsageStatus.Failed,
            HttpStatus = 502,
            ErrorCode = "upstream_error",
            LatencyMs = 1200,
            ClientIp = "203.0.113.7",
        });
        await db.SaveChangesAsync();
        return requestId;
    }
}
