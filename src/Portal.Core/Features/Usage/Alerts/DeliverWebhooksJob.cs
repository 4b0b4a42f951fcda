using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Data;

namespace Portal.Core.Features.Usage.Alerts;

/// <summary>
/// Posts due webhook deliveries, signed (<see cref="WebhookSignature"/>) with the tenant's current secret. A non-2xx
/// answer or a network error is retried with exponential backoff (1, 2, 4 … minutes) up to
/// <see cref="MaxAttempts"/> attempts; every attempt's outcome stays on the delivery for the tenant to see. Safe to run
/// twice: each attempt is claimed with a conditional update first.
/// </summary>
public sealed class DeliverWebhooksJob(
    IDbContextFactory<PortalDbContext> dbFactory,
    IHttpClientFactory httpFactory,
    WebhookSecrets secrets,
    TimeProvider clock,
    ILogger<DeliverWebhooksJob> logger)
{
    public const string HttpClientName = "Portal.Webhooks";
    public const int MaxAttempts = 8;

    public static TimeSpan Backoff(int attempts) => TimeSpan.FromMinutes(1 << Math.Clamp(attempts - 1, 0, 10));

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        using var platform = db.EnterPlatformScope();
        var now = clock.GetUtcNow();
        var deliveries = db.Set<WebhookDelivery>().IgnoreTenantFilter();
        var due = await deliveries.AsNoTracking()
            .Where(d => d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= now)
            .OrderBy(d => d.NextAttemptAt).Take(50)
            .ToListAsync(cancellationToken);
        var delivered = 0;
        var http = httpFactory.CreateClient(HttpClientName);
        foreach (var delivery in due)
        {
            // NOTE: claim the attempt (Attempts as read → +1); a second runner's update matches no row and skips it.
            var claimed = await deliveries.Where(d => d.Id == delivery.Id && d.Status == WebhookDeliveryStatus.Pending && d.Attempts == delivery.Attempts)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.Attempts, d => d.Attempts + 1).SetProperty(d => d.LastAttemptAt, clock.GetUtcNow()), cancellationToken);
            if (claimed == 0) continue;
            var attempts = delivery.Attempts + 1;

            int? status = null;
            string? error = null;
            try
            {
                var secret = await db.Set<UsageAlertSettings>().IgnoreTenantFilter().Where(s => s.TenantId == delivery.TenantId)
                    .Select(s => s.WebhookSecretProtected).FirstOrDefaultAsync(cancellationToken);
                if (secret is null)
                {
                    error = "No signing secret: the webhook was removed.";
                }
                else
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new StringContent(delivery.Body, Encoding.UTF8, "application/json") };
                    request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(secrets.Unprotect(secret), clock.GetUtcNow().ToUnixTimeSeconds(), delivery.Body));
                    request.Headers.Add("X-Portal-Event", delivery.Event);
                    request.Headers.Add("X-Portal-Delivery", delivery.Id.ToString());
                    request.Headers.UserAgent.ParseAdd("Portal-Webhooks/1.0");
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                    status = (int)response.StatusCode;
                    if (!response.IsSuccessStatusCode) error = $"HTTP {status}";
                }
            }
            catch (Exception ex) when ((ex is HttpRequestException or TaskCanceledException or InvalidOperationException or System.Security.Cryptography.CryptographicException) && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Webhook delivery {DeliveryId} failed", delivery.Id);
                error = ex.Message.Length > 1000 ? ex.Message[..1000] : ex.Message;
            }

            var done = clock.GetUtcNow();
            if (error is null)
            {
                delivered++;
                await deliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, WebhookDeliveryStatus.Delivered)
                    .SetProperty(d => d.DeliveredAt, done).SetProperty(d => d.LastStatusCode, status).SetProperty(d => d.LastError, (string?)null), cancellationToken);
            }
            else
            {
                var failed = attempts >= MaxAttempts;
                await deliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.Status, failed ? WebhookDeliveryStatus.Failed : WebhookDeliveryStatus.Pending)
                    .SetProperty(d => d.NextAttemptAt, done + Backoff(attempts)).SetProperty(d => d.LastStatusCode, status).SetProperty(d => d.LastError, error), cancellationToken);
            }
        }

        return delivered;
    }
}
