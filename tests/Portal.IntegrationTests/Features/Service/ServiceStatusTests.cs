using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Status;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Service;

public abstract class ServiceStatusTests<TFactory>(TFactory factory, FakeOpenAiUpstream upstream) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    private static readonly TimeSpan Beijing = TimeSpan.FromHours(8);

    private static string NewModelId() => $"avail-{Guid.NewGuid():N}"[..18];

    /// <summary>Moves the clock forward to 10:00 Beijing time on a day <paramref name="daysAhead"/> after today (the clock never goes back).</summary>
    private DateOnly MoveToDay(int daysAhead)
    {
        var day = ChinaTime.Today(factory.Clock).AddDays(daysAhead);
        var target = new DateTimeOffset(day.ToDateTime(new TimeOnly(10, 0)), Beijing).ToUniversalTime();
        if (target > factory.Clock.GetUtcNow()) factory.Clock.SetUtcNow(target);
        return day;
    }

    private async Task<JsonElement> StatusJsonAsync()
    {
        using var anonymous = factory.CreateClient();
        var response = await anonymous.GetAsync("/status.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static JsonElement Day(JsonElement status, string model, DateOnly day) =>
        status.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("model").GetString() == model)
            .GetProperty("days").EnumerateArray().Single(d => d.GetProperty("date").GetString() == day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task A_simulator_failing_a_set_share_of_requests_gives_that_days_availability_and_client_errors_do_not_lower_it()
    {
        // One simulator channel failing 30 % of requests (500 → the relay answers 502, or 503 when its circuit opens).
        var flaky = await factory.ModelAsync(NewModelId(), ModelKind.Chat, 1_000_000, 2_000_000,
            new ChannelSpec("flaky", ChannelType.Simulator, SimulatorFailurePerMille: 300));
        // An upstream that refuses every request as malformed (400): the client's fault, never the platform's.
        var refusing = await factory.ModelAsync(NewModelId(), ModelKind.Chat, 1_000_000, 2_000_000,
            new ChannelSpec("refuses", ChannelType.OpenAICompatible, upstream.BaseUrl("badrequest")));
        var (_, tenantId) = await factory.VerifiedTenantAsync("可用性测试科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(1_000))).IsSuccess);
        var (secret, _) = await factory.KeyAsync(tenantId);
        var (limitedSecret, _) = await factory.KeyAsync(tenantId, k => k.RequestsPerMinute = 1);
        using var http = factory.RelayClient(secret);
        using var limited = factory.RelayClient(limitedSecret);

        async Task<(int Served, int Failed)> DayOfTrafficAsync(int requests)
        {
            var (served, failed) = (0, 0);
            void Tally(HttpResponseMessage response)
            {
                if (response.StatusCode == HttpStatusCode.OK) served++;
                else if ((int)response.StatusCode >= 500) failed++;
                else Assert.Fail($"unexpected {(int)response.StatusCode}");
            }

            for (var i = 0; i < requests; i++)
            {
                var response = await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(flaky, $"request {i}", maxTokens: 20)));
                await response.Content.ReadAsByteArrayAsync();
                Tally(response);
                factory.Clock.Advance(TimeSpan.FromSeconds(20));
            }

            // Client errors and refusals of the same day: bad input, the key's rate limit, and the upstream's 400 refusal.
            Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/v1/chat/completions", RelayArrange.Json("{\"model\":\"" + flaky + "\"}"))).StatusCode);
            Tally(await limited.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(flaky, maxTokens: 5))));
            Assert.Equal(HttpStatusCode.TooManyRequests, (await limited.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(flaky, maxTokens: 5)))).StatusCode);
            for (var i = 0; i < 3; i++)
                Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(refusing, maxTokens: 5)))).StatusCode);
            return (served, failed);
        }

        var firstDay = MoveToDay(3);
        var first = await DayOfTrafficAsync(60);
        var secondDay = MoveToDay(4);
        var second = await DayOfTrafficAsync(30);
        await factory.SettleAsync();

        Assert.InRange(first.Failed, 5, 40);
        var status = await StatusJsonAsync();
        foreach (var (day, traffic) in new[] { (firstDay, first), (secondDay, second) })
        {
            var row = Day(status, flaky, day);
            var counted = row.GetProperty("requests").GetInt64();
            var failures = row.GetProperty("platformFailures").GetInt64();
            Assert.Equal((traffic.Served + traffic.Failed, traffic.Failed), ((int)counted, (int)failures));
            var expected = (counted - failures) * 1_000_000 / counted / 10_000m;
            Assert.Equal(expected.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), row.GetProperty("availability").GetString());
        }

        // The refusing model saw only client errors: no counted traffic, so no figure rather than 0 %.
        var refused = Day(status, refusing, firstDay);
        Assert.Equal((0, JsonValueKind.Null), (refused.GetProperty("requests").GetInt64(), refused.GetProperty("availability").ValueKind));
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Operators_open_update_and_resolve_incidents_and_an_anonymous_visitor_sees_them_on_the_status_page()
    {
        var model = await factory.ModelAsync(NewModelId(), ModelKind.Chat, 1_000_000, 2_000_000, new ChannelSpec("ok", ChannelType.Simulator));
        await using var scope = await factory.OperatorScopeAsync();
        var post = scope.ServiceProvider.GetRequiredService<PostIncident.Handler>();
        var opened = await post.HandleAsync(new PostIncident.Command(null, "上游延迟升高", IncidentImpact.PartialOutage, IncidentStatus.Investigating, [model], "正在调查"));
        Assert.True(opened.IsSuccess);

        var status = await StatusJsonAsync();
        Assert.Equal("PartialOutage", status.GetProperty("overall").GetString());
        var open = Assert.Single(status.GetProperty("openIncidents").EnumerateArray(), i => i.GetProperty("id").GetGuid() == opened.Value!.Id);
        Assert.Equal([model], open.GetProperty("affectedModels").EnumerateArray().Select(m => m.GetString()!).ToArray());
        Assert.Equal("PartialOutage", status.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("model").GetString() == model).GetProperty("state").GetString());

        factory.Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.True((await post.HandleAsync(new PostIncident.Command(opened.Value!.Id, "上游延迟升高", IncidentImpact.PartialOutage, IncidentStatus.Resolved, [model], "已恢复"))).IsSuccess);
        // A resolved incident takes no more updates.
        Assert.Equal("Status.IncidentResolved", (await post.HandleAsync(new PostIncident.Command(opened.Value.Id, "x", IncidentImpact.Degraded, IncidentStatus.Monitoring, [], "y"))).Error?.Code);
        // Validation: a title and a message are required.
        Assert.IsType<ValidationError>((await post.HandleAsync(new PostIncident.Command(null, " ", IncidentImpact.Degraded, IncidentStatus.Investigating, [], ""))).Error);

        status = await StatusJsonAsync();
        var past = Assert.Single(status.GetProperty("pastIncidents").EnumerateArray(), i => i.GetProperty("id").GetGuid() == opened.Value.Id);
        Assert.Equal(["Resolved", "Investigating"], past.GetProperty("updates").EnumerateArray().Select(u => u.GetProperty("status").GetString()!).ToArray());
        Assert.Equal("Operational", status.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("model").GetString() == model).GetProperty("state").GetString());

        using var anonymous = factory.CreateClient();
        var page = await anonymous.GetAsync("/status");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
        Assert.Contains("上游延迟升高", html);
        Assert.Contains(model, html);

        await using var db = await factory.DbAsync();
        Assert.Equal(2, await db.AuditEntries.IgnoreQueryFilters().CountAsync(a => a.TargetId == opened.Value.Id.ToString()));
    }

    [Fact]
    public async Task Only_platform_admins_post_incidents()
    {
        var (client, _) = await factory.VerifiedTenantAsync("非运营方科技有限公司");
        await using var scope = await factory.MemberScopeAsync(client);
        var result = await scope.ServiceProvider.GetRequiredService<PostIncident.Handler>()
            .HandleAsync(new PostIncident.Command(null, "t", IncidentImpact.Degraded, IncidentStatus.Investigating, [], "m"));
        Assert.Equal("Auth.Forbidden", result.Error?.Code);
    }
}

public sealed class ServiceStatusTestsOnPostgres(PostgresPortalFactory factory, FakeOpenAiUpstream upstream)
    : ServiceStatusTests<PostgresPortalFactory>(factory, upstream), IClassFixture<FakeOpenAiUpstream>;

public sealed class ServiceStatusTestsOnSqlite(SqlitePortalFactory factory, FakeOpenAiUpstream upstream)
    : ServiceStatusTests<SqlitePortalFactory>(factory, upstream), IClassFixture<FakeOpenAiUpstream>;
