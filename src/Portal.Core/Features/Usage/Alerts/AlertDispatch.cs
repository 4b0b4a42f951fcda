using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Notifications;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Usage.Alerts;

/// <summary>
/// Records a fired alert and its messages in the caller's transaction: an email to every Owner and Finance member (in
/// their language) through the outbox, and a webhook delivery when the tenant has a webhook.
/// </summary>
public sealed class AlertDispatch(EmailOutbox outbox, EmailTemplates templates)
{
    public static readonly TenantRole[] Recipients = [TenantRole.Owner, TenantRole.Finance];

    public async Task FireAsync(PortalDbContext db, UsageAlert alert, UsageAlertSettings? settings, string? keyName, CancellationToken cancellationToken)
    {
        db.Add(alert);
        var tenantName = await db.Tenants.Where(t => t.Id == alert.TenantId).Select(t => t.Name).SingleAsync(cancellationToken);
        var people = await db.Memberships.IgnoreTenantFilter()
            .Where(m => m.TenantId == alert.TenantId && Recipients.Contains(m.Role))
            .Select(m => new { m.User!.Email, m.User.Culture })
            .ToListAsync(cancellationToken);
        var value = new Money(alert.ValueMicroYuan).ToDisplay();
        var threshold = new Money(alert.ThresholdMicroYuan).ToDisplay();
        foreach (var person in people.Where(p => !string.IsNullOrEmpty(p.Email)).DistinctBy(p => p.Email))
        {
            var content = alert.Kind switch
            {
                UsageAlertKind.LowBalance => templates.Notice(person.Culture, "Low balance: {0}",
                    "The balance of {0} is {1}, below your alert threshold of {2}. Top up to keep your API keys working.", tenantName, value, threshold),
                UsageAlertKind.MonthlySpend => templates.Notice(person.Culture, "Monthly spend alert: {0}",
                    "{0} has spent {1} this month, reaching your alert threshold of {2}.", tenantName, value, threshold),
                _ => templates.Notice(person.Culture, "API key budget 80% used: {0}",
                    "The API key \"{3}\" of {0} has spent {1} of its monthly budget of {2}. Requests with this key are refused once the budget is used up.",
                    tenantName, value, threshold, keyName ?? ""),
            };
            outbox.Add(db, person.Email!, content, "usage-alert");
        }

        if (settings?.WebhookUrl is { } url)
        {
            db.Add(NewDelivery(alert.TenantId, url, EventName(alert.Kind), alert.Id, new Dictionary<string, object?>
            {
                ["alertId"] = alert.Id,
                ["kind"] = alert.Kind.ToString(),
                ["period"] = alert.Period,
                ["apiKeyId"] = alert.ApiKeyId == Guid.Empty ? null : alert.ApiKeyId,
                ["apiKeyName"] = keyName,
                ["value"] = UsageExport.Yuan(new Money(alert.ValueMicroYuan)),
                ["threshold"] = UsageExport.Yuan(new Money(alert.ThresholdMicroYuan)),
                ["valueMicroYuan"] = alert.ValueMicroYuan,
                ["thresholdMicroYuan"] = alert.ThresholdMicroYuan,
                ["currency"] = "CNY",
            }, alert.At));
        }
    }

    public static string EventName(UsageAlertKind kind) => kind switch
    {
        UsageAlertKind.LowBalance => "alert.low_balance",
        UsageAlertKind.MonthlySpend => "alert.monthly_spend",
        _ => "alert.key_budget",
    };

    /// <summary>A delivery whose body is <c>{"id","type","createdAt","tenantId","data"}</c>; the body is fixed now, so retries send the same bytes.</summary>
    public static WebhookDelivery NewDelivery(Guid tenantId, string url, string eventName, Guid? alertId, Dictionary<string, object?> data, DateTimeOffset now)
    {
        var id = Ids.New();
        var body = JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = id,
            ["type"] = eventName,
            ["createdAt"] = now.UtcDateTime,
            ["tenantId"] = tenantId,
            ["data"] = data,
        });
        return new WebhookDelivery
        {
            Id = id,
            TenantId = tenantId,
            Event = eventName,
            AlertId = alertId,
            Url = url,
            Body = body,
            Status = WebhookDeliveryStatus.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
        };
    }
}
