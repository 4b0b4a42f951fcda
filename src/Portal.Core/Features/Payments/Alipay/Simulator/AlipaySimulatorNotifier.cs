using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Data;

namespace Portal.Core.Features.Payments.Alipay.Simulator;

/// <summary>
/// Delivers the simulator's trade notifications to each trade's notify_url and retries, on a compressed copy of
/// Alipay's schedule, until the merchant answers exactly <c>success</c>. Runs in the shared <see cref="SimulatorNotifierLoop"/>.
/// </summary>
public sealed class AlipaySimulatorNotifier(
    IServiceScopeFactory scopes,
    IHttpClientFactory httpClients,
    IOptions<AlipaySimulatorOptions> options,
    IOptions<AlipayOptions> alipay,
    TimeProvider clock,
    ILogger<AlipaySimulatorNotifier> logger) : SimulatorNotifierLoop(logger)
{
    public const string HttpClientName = "alipay-simulator";

    protected override bool Enabled => alipay.Value.Mode == AlipayMode.Simulator && options.Value.RunNotifier;

    /// <inheritdoc />
    public override async Task<int> DeliverDueAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var simulator = scope.ServiceProvider.GetRequiredService<AlipaySimulator>();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var due = await db.SimulatorTrades.AsNoTracking()
            .Where(t => t.NextNotifyAt != null && t.NextNotifyAt <= now && t.NotifyUrl != null)
            .OrderBy(t => t.NextNotifyAt).Take(100).ToListAsync(cancellationToken);
        var schedule = options.Value.NotifyRetrySchedule;
        var acknowledged = 0;
        var http = httpClients.CreateClient(HttpClientName);
        foreach (var trade in due)
        {
            var attempt = trade.NotifyAttempts;
            var next = NextAttempt(schedule, attempt, now);
            // NOTE: claimed by a conditional UPDATE on the attempt counter and due time, so two loops (or replicas)
            // never send the same attempt twice.
            var claimed = await db.SimulatorTrades
                .Where(t => t.Id == trade.Id && t.NotifyAttempts == attempt && t.NextNotifyAt == trade.NextNotifyAt)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.NotifyAttempts, attempt + 1).SetProperty(t => t.NextNotifyAt, next), cancellationToken);
            if (claimed == 0) continue;

            var fields = simulator.BuildNotification(trade);
            string reply;
            try
            {
                var body = string.Join('&', fields.Select(f => Uri.EscapeDataString(f.Key) + "=" + Uri.EscapeDataString(f.Value)));
                var content = new StringContent(body, Encoding.UTF8);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") { CharSet = "utf-8" };
                using var response = await http.PostAsync(trade.NotifyUrl, content, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                reply = response.IsSuccessStatusCode ? text : $"HTTP {(int)response.StatusCode} {text}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                reply = "unreachable: " + ex.Message;
            }

            // Alipay accepts exactly "success": no whitespace, no HTML.
            var ok = reply == AlipayTradeNotification.SuccessReply;
            var stored = reply.Length > 200 ? reply[..200] : reply;
            var delivered = db.SimulatorTrades.Where(t => t.Id == trade.Id);
            if (ok)
            {
                await delivered.ExecuteUpdateAsync(s => s.SetProperty(t => t.LastNotifyReply, stored).SetProperty(t => t.NotifiedAt, clock.GetUtcNow())
                    .SetProperty(t => t.NextNotifyAt, (DateTimeOffset?)null), cancellationToken);
                acknowledged++;
            }
            else
            {
                await delivered.ExecuteUpdateAsync(s => s.SetProperty(t => t.LastNotifyReply, stored), cancellationToken);
                logger.LogInformation("Simulated notification {Attempt} for {OutTradeNo} got '{Reply}'; next {Next}", attempt + 1, trade.OutTradeNo, stored, next);
            }
        }

        return acknowledged;
    }
}
