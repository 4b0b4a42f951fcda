using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Usage.Alerts;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Usage;

public abstract class UsageAlertsTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    private UsageHelpers.UsageWriter Writer => factory.Writer();

    private async Task<(PortalClient Owner, Guid TenantId, Guid KeyId)> TenantAsync(string name, long yuan, Money? keyBudget = null)
    {
        var owner = await PortalClient.SignUpAsync(factory, name);
        var tenantId = await factory.TenantOfAsync(owner.Email);
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(yuan))).IsSuccess);
        return (owner, tenantId, await factory.SeedApiKeyAsync(tenantId, "告警密钥", keyBudget));
    }

    private async Task<T> AsAsync<T>(PortalClient who, Func<IServiceProvider, Task<T>> act)
    {
        await using var scope = factory.Scope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>().FindByEmailAsync(who.Email);
        var tenantId = await factory.TenantOfAsync(who.Email);
        scope.ServiceProvider.GetRequiredService<CurrentUser>().Use(CurrentUser.For(user!.Id, user.Email!, tenantId));
        return await act(scope.ServiceProvider);
    }

    private Task<Result<SaveAlertSettings.Outcome>> SaveAsync(PortalClient who, Money? lowBalance = null, Money? monthly = null, bool keyBudgets = true, string? webhook = null) =>
        AsAsync(who, sp => sp.GetRequiredService<SaveAlertSettings.Handler>().HandleAsync(new SaveAlertSettings.Command(lowBalance, monthly, keyBudgets, webhook)));

    private async Task<int> RunAlertsAsync()
    {
        await using var scope = factory.Scope();
        return await scope.ServiceProvider.GetRequiredService<UsageAlertsJob>().RunAsync(CancellationToken.None);
    }

    private async Task<int> RunWebhooksAsync()
    {
        await using var scope = factory.Scope();
        return await scope.ServiceProvider.GetRequiredService<DeliverWebhooksJob>().RunAsync(CancellationToken.None);
    }

    private async Task<List<UsageAlert>> AlertsAsync(Guid tenantId)
    {
        await using var db = await factory.DbAsync();
        return await db.Set<UsageAlert>().IgnoreTenantFilter().Where(a => a.TenantId == tenantId).OrderBy(a => a.At).ToListAsync();
    }

    private async Task<int> AlertMailsAsync(string email)
    {
        await using var db = await factory.DbAsync();
        return await db.OutboxMessages.CountAsync(m => m.To == email && m.Kind == "usage-alert");
    }

    /// <summary>Equal to the stored precision (PostgreSQL keeps microseconds, SQLite milliseconds).</summary>
    private static void AssertClose(DateTimeOffset expected, DateTimeOffset actual) =>
        Assert.InRange((actual - expected).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(1));

    private Task SpendAsync(Guid tenantId, Guid keyId, long microYuan) =>
        Writer([UsageHelpers.Record(tenantId, keyId, factory.Clock.GetUtcNow(), cost: microYuan)]);

    [Fact]
    public async Task Low_balance_fires_once_per_crossing_and_rearms_after_a_top_up()
    {
        var (owner, tenantId, key) = await TenantAsync("余额告警科技有限公司", 100);
        var finance = await factory.InviteMemberAsync(owner, "Finance");
        var developer = await factory.InviteMemberAsync(owner, "Developer");
        Assert.True((await SaveAsync(owner, lowBalance: Money.FromYuan(50))).IsSuccess);

        await SpendAsync(tenantId, key, Money.FromYuan(30).MicroYuan);
        Assert.Equal(0, await RunAlertsAsync());
        await SpendAsync(tenantId, key, Money.FromYuan(30).MicroYuan);
        Assert.Equal(1, await RunAlertsAsync());
        // Still below: further requests and runs do not fire again.
        await SpendAsync(tenantId, key, Money.FromYuan(5).MicroYuan);
        Assert.Equal(0, await RunAlertsAsync());
        Assert.Equal(0, await RunAlertsAsync());

        var alerts = await AlertsAsync(tenantId);
        var alert = Assert.Single(alerts);
        Assert.Equal((UsageAlertKind.LowBalance, Money.FromYuan(40).MicroYuan, Money.FromYuan(50).MicroYuan), (alert.Kind, alert.ValueMicroYuan, alert.ThresholdMicroYuan));
        Assert.Equal(1, await AlertMailsAsync(owner.Email));
        Assert.Equal(1, await AlertMailsAsync(finance.Email));
        Assert.Equal(0, await AlertMailsAsync(developer.Email));

        // A top-up above the threshold re-arms it; the next fall below fires again, once.
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(100))).IsSuccess);
        Assert.Equal(0, await RunAlertsAsync());
        await SpendAsync(tenantId, key, Money.FromYuan(100).MicroYuan);
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(RunAlertsAsync)));
        Assert.Equal(1, runs.Sum());
        Assert.Equal(2, (await AlertsAsync(tenantId)).Count);
        Assert.Equal(2, await AlertMailsAsync(owner.Email));
    }

    [Fact]
    public async Task Monthly_spend_fires_once_per_month_when_crossed_upward()
    {
        var (owner, tenantId, key) = await TenantAsync("月度告警科技有限公司", 1000);
        Assert.True((await SaveAsync(owner, monthly: Money.FromYuan(10))).IsSuccess);
        await SpendAsync(tenantId, key, Money.FromYuan(6).MicroYuan);
        Assert.Equal(0, await RunAlertsAsync());
        await SpendAsync(tenantId, key, Money.FromYuan(6).MicroYuan);
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(RunAlertsAsync)));
        Assert.Equal(1, runs.Sum());
        await SpendAsync(tenantId, key, Money.FromYuan(6).MicroYuan);
        Assert.Equal(0, await RunAlertsAsync());
        var alert = Assert.Single(await AlertsAsync(tenantId));
        Assert.Equal((UsageAlertKind.MonthlySpend, Money.FromYuan(12).MicroYuan), (alert.Kind, alert.ValueMicroYuan));

        // Next month starts from zero.
        var now = ChinaTime.ToChina(factory.Clock.GetUtcNow());
        factory.Clock.SetUtcNow(new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 1, TimeSpan.FromHours(8)).AddMonths(1).ToUniversalTime());
        Assert.Equal(0, await RunAlertsAsync());
        await SpendAsync(tenantId, key, Money.FromYuan(11).MicroYuan);
        Assert.Equal(1, await RunAlertsAsync());
        Assert.Equal(2, (await AlertsAsync(tenantId)).Count);
    }

    [Fact]
    public async Task A_key_alerts_once_at_80_percent_of_its_monthly_budget()
    {
        var (_, tenantId, key) = await TenantAsync("预算告警科技有限公司", 1000, keyBudget: Money.FromYuan(100));
        await SpendAsync(tenantId, key, Money.FromYuan(79).MicroYuan);
        Assert.Equal(0, await RunAlertsAsync());
        await SpendAsync(tenantId, key, Money.FromYuan(1).MicroYuan);
        Assert.Equal(1, await RunAlertsAsync());
        await SpendAsync(tenantId, key, Money.FromYuan(10).MicroYuan);
        Assert.Equal(0, await RunAlertsAsync());
        var alert = Assert.Single(await AlertsAsync(tenantId));
        Assert.Equal((UsageAlertKind.KeyBudget, key), (alert.Kind, alert.ApiKeyId));
    }

    [Fact]
    public async Task The_webhook_body_is_signed_with_hmac_sha256_over_timestamp_and_body()
    {
        await using var receiver = new FakeWebhookReceiver();
        var (owner, tenantId, key) = await TenantAsync("签名科技有限公司", 100);
        var saved = await SaveAsync(owner, lowBalance: Money.FromYuan(50), webhook: receiver.Url);
        var secret = saved.Value!.NewWebhookSecret;
        Assert.StartsWith("whsec_", secret);
        // Saving again keeps the secret (shown once).
        Assert.Null((await SaveAsync(owner, lowBalance: Money.FromYuan(50), webhook: receiver.Url)).Value!.NewWebhookSecret);

        await SpendAsync(tenantId, key, Money.FromYuan(60).MicroYuan);
        Assert.Equal(1, await RunAlertsAsync());
        Assert.Equal(1, await RunWebhooksAsync());
        var received = Assert.Single(receiver.Requests);
        Assert.Equal("alert.low_balance", received.Event);
        Assert.True(WebhookSignature.Verify(secret!, received.Signature!, received.Body, factory.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(secret!, received.Signature!, received.Body.Replace("40", "41"), factory.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("whsec_other", received.Signature!, received.Body, factory.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        using var body = JsonDocument.Parse(received.Body);
        Assert.Equal("alert.low_balance", body.RootElement.GetProperty("type").GetString());
        Assert.Equal("40.00", body.RootElement.GetProperty("data").GetProperty("value").GetString());
        Assert.Equal(tenantId, body.RootElement.GetProperty("tenantId").GetGuid());

        // A regenerated secret signs from now on; the old one no longer verifies.
        var regenerated = await AsAsync(owner, sp => sp.GetRequiredService<RegenerateWebhookSecret.Handler>().HandleAsync());
        Assert.True((await AsAsync(owner, sp => sp.GetRequiredService<SendTestWebhook.Handler>().HandleAsync())).IsSuccess);
        Assert.Equal(1, await RunWebhooksAsync());
        var ping = receiver.Requests.Last();
        Assert.Equal("ping", ping.Event);
        Assert.True(WebhookSignature.Verify(regenerated.Value!, ping.Signature!, ping.Body, factory.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(secret!, ping.Signature!, ping.Body, factory.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task A_failing_webhook_is_retried_with_backoff_and_every_attempt_is_logged()
    {
        await using var receiver = new FakeWebhookReceiver();
        var (owner, tenantId, key) = await TenantAsync("重试科技有限公司", 100);
        Assert.True((await SaveAsync(owner, monthly: Money.FromYuan(1), webhook: receiver.Url)).IsSuccess);
        await SpendAsync(tenantId, key, Money.FromYuan(2).MicroYuan);
        Assert.Equal(1, await RunAlertsAsync());
        receiver.AnswerNext(500, 503);

        Assert.Equal(0, await RunWebhooksAsync());
        var log = await AsAsync(owner, async sp => (await sp.GetRequiredService<AlertQueries>().ListDeliveriesAsync()).Value!);
        var first = Assert.Single(log);
        Assert.Equal((WebhookDeliveryStatus.Pending, 1, 500), (first.Status, first.Attempts, first.LastStatusCode));
        AssertClose(factory.Clock.GetUtcNow() + TimeSpan.FromMinutes(1), first.NextAttemptAt);

        // Not due yet: nothing is sent.
        Assert.Equal(0, await RunWebhooksAsync());
        Assert.Single(receiver.Requests);
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await RunWebhooksAsync());
        var second = (await AsAsync(owner, async sp => (await sp.GetRequiredService<AlertQueries>().ListDeliveriesAsync()).Value!)).Single();
        Assert.Equal((WebhookDeliveryStatus.Pending, 2, 503), (second.Status, second.Attempts, second.LastStatusCode));
        AssertClose(factory.Clock.GetUtcNow() + TimeSpan.FromMinutes(2), second.NextAttemptAt);

        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await RunWebhooksAsync());
        var delivered = (await AsAsync(owner, async sp => (await sp.GetRequiredService<AlertQueries>().ListDeliveriesAsync()).Value!)).Single();
        Assert.Equal((WebhookDeliveryStatus.Delivered, 3, 200), (delivered.Status, delivered.Attempts, delivered.LastStatusCode));
        Assert.Equal(3, receiver.Requests.Count);
        Assert.Single(receiver.Requests.Select(r => r.Body).Distinct());
        Assert.Single(receiver.Requests.Select(r => r.Delivery).Distinct());
    }

    [Fact]
    public async Task Only_owners_admins_and_finance_change_alerts_and_webhook_urls_are_checked()
    {
        var (owner, _, _) = await TenantAsync("权限科技有限公司", 10);
        var viewer = await factory.InviteMemberAsync(owner, "Viewer");
        Assert.Equal("Auth.Forbidden", (await SaveAsync(viewer, lowBalance: Money.FromYuan(5))).Error?.Code);
        Assert.Equal("Auth.Forbidden", (await AsAsync(viewer, sp => sp.GetRequiredService<AlertQueries>().ListDeliveriesAsync())).Error?.Code);
        var invalid = await SaveAsync(owner, webhook: "http://example.com/hook");
        Assert.IsType<ValidationError>(invalid.Error);
        Assert.True((await SaveAsync(owner, webhook: "https://example.com/hook")).IsSuccess);
        Assert.IsType<ValidationError>((await SaveAsync(owner, lowBalance: Money.Zero)).Error);
    }
}

public sealed class UsageAlertsTestsOnPostgres(PostgresPortalFactory factory) : UsageAlertsTests<PostgresPortalFactory>(factory);

public sealed class UsageAlertsTestsOnSqlite(SqlitePortalFactory factory) : UsageAlertsTests<SqlitePortalFactory>(factory);
