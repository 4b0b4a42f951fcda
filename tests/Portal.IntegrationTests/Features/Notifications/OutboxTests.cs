using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Notifications;
using Portal.Core.Features.Tenants;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Notifications;

public abstract class OutboxTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Fact]
    public async Task Without_smtp_mail_is_held_in_the_outbox()
    {
        var email = PortalClient.NewEmail("held");
        await RegisterAsync(factory, email);
        var message = await LatestAsync(factory, email);
        Assert.Equal(OutboxStatus.Held, message.Status);
        Assert.Contains("/Account/ConfirmEmail?userId=", message.TextBody);
    }

    [Fact]
    public async Task With_smtp_the_job_sends_pending_mail_once_and_retries_failures()
    {
        await using var smtp = new FakeSmtpServer();
        using var withSmtp = factory.WithWebHostBuilder(b => b
            .UseSetting("Smtp:Host", "127.0.0.1")
            .UseSetting("Smtp:Port", smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .UseSetting("Smtp:UseStartTls", "false"));

        var delivered = PortalClient.NewEmail("sent");
        await RegisterAsync(withSmtp, delivered);
        Assert.Equal(OutboxStatus.Pending, (await LatestAsync(withSmtp, delivered)).Status);

        await RunJobAsync(withSmtp);
        await RunJobAsync(withSmtp);
        var sent = await LatestAsync(withSmtp, delivered);
        Assert.Equal(OutboxStatus.Sent, sent.Status);
        Assert.Single(smtp.Messages, m => m.Contains(delivered, StringComparison.Ordinal));

        smtp.RejectData = true;
        var bounced = PortalClient.NewEmail("bounce");
        await RegisterAsync(withSmtp, bounced);
        await RunJobAsync(withSmtp);
        var failed = await LatestAsync(withSmtp, bounced);
        Assert.Equal(OutboxStatus.Pending, failed.Status);
        Assert.Equal(1, failed.Attempts);
        Assert.NotNull(failed.LastError);
        Assert.True(failed.NextAttemptAt > factory.Clock.GetUtcNow(), "a failed message waits before the next attempt");
    }

    [Fact]
    public async Task Two_overlapping_runs_with_a_slow_smtp_server_send_each_mail_once()
    {
        await using var smtp = new FakeSmtpServer { DataDelay = TimeSpan.FromMilliseconds(300) };
        using var withSmtp = factory.WithWebHostBuilder(b => b
            .UseSetting("Smtp:Host", "127.0.0.1")
            .UseSetting("Smtp:Port", smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .UseSetting("Smtp:UseStartTls", "false"));
        var emails = Enumerable.Range(0, 4).Select(i => PortalClient.NewEmail($"overlap{i}")).ToList();
        foreach (var email in emails) await RegisterAsync(withSmtp, email);

        await Task.WhenAll(Task.Run(() => RunJobAsync(withSmtp)), Task.Run(() => RunJobAsync(withSmtp)));

        foreach (var email in emails)
        {
            Assert.Single(smtp.Messages, m => m.Contains(email, StringComparison.Ordinal));
            var message = await LatestAsync(withSmtp, email);
            Assert.Equal(OutboxStatus.Sent, message.Status);
            Assert.Equal(1, message.Attempts);
        }
    }

    private static async Task RegisterAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> app, string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<RegisterAccount.Handler>()
            .HandleAsync(new RegisterAccount.Command(email, "Mail-Pass-1234", "Mail", "邮件测试公司", TenantKind.Company));
        Assert.True(result.IsSuccess);
    }

    private static async Task RunJobAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<SendOutboxJob>().RunAsync(CancellationToken.None);
    }

    private static async Task<OutboxMessage> LatestAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> app, string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.OutboxMessages.Where(m => m.To == email).OrderByDescending(m => m.CreatedAt).FirstAsync();
    }
}

public sealed class OutboxTestsOnPostgres(PostgresPortalFactory factory) : OutboxTests<PostgresPortalFactory>(factory);

public sealed class OutboxTestsOnSqlite(SqlitePortalFactory factory) : OutboxTests<SqlitePortalFactory>(factory);
