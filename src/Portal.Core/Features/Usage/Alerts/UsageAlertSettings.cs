using Portal.Core.Data;
using Portal.Core.Localization;

namespace Portal.Core.Features.Usage.Alerts;

/// <summary>
/// A tenant's spending alerts. <see cref="LowBalanceArmed"/> makes the low-balance alert fire once per crossing: it is
/// disarmed when the alert fires and re-armed when the balance is back at or above the threshold.
/// </summary>
public sealed class UsageAlertSettings : ITenantOwned
{
    public Guid TenantId { get; set; }

    /// <summary>Alert when the wallet balance falls below this; null = off.</summary>
    public long? LowBalanceThresholdMicroYuan { get; set; }

    /// <summary>Alert when this Beijing month's spend reaches this; null = off.</summary>
    public long? MonthlySpendThresholdMicroYuan { get; set; }

    /// <summary>Alert when a key has spent 80 % of its monthly budget.</summary>
    public bool KeyBudgetAlerts { get; set; } = true;

    /// <summary>Optional HTTPS endpoint that receives every alert as signed JSON.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>The signing secret, encrypted with Data Protection; shown to the tenant once.</summary>
    public string? WebhookSecretProtected { get; set; }

    public bool LowBalanceArmed { get; set; } = true;

    /// <summary>How many times the low-balance alert has fired: the period of each crossing's alert.</summary>
    public int LowBalanceCrossings { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

public enum UsageAlertKind
{
    [EnumText("Low balance")]
    LowBalance,
    [EnumText("Monthly spend")]
    MonthlySpend,
    [EnumText("Key budget")]
    KeyBudget,
}

/// <summary>
/// An alert that fired. Unique per (tenant, kind, key, period) — the period is the month for spend and budget alerts
/// and the crossing number for low balance — so the database itself refuses a second alert for the same crossing.
/// </summary>
public sealed class UsageAlert : ITenantOwned, IAppendOnly
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public UsageAlertKind Kind { get; set; }

    /// <summary>The key of a budget alert; <see cref="Guid.Empty"/> otherwise.</summary>
    public Guid ApiKeyId { get; set; }

    public string Period { get; set; } = "";

    /// <summary>The balance or spend that crossed the threshold.</summary>
    public long ValueMicroYuan { get; set; }

    public long ThresholdMicroYuan { get; set; }

    public DateTimeOffset At { get; set; }
}

public enum WebhookDeliveryStatus
{
    Pending,
    Delivered,
    [EnumText("Sending failed")]
    Failed,
}

/// <summary>One webhook message and its delivery: retried with backoff until delivered or out of attempts.</summary>
public sealed class WebhookDelivery : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary><c>alert.low_balance</c>, <c>alert.monthly_spend</c>, <c>alert.key_budget</c> or <c>ping</c>.</summary>
    public string Event { get; set; } = "";

    public Guid? AlertId { get; set; }

    public string Url { get; set; } = "";

    public string Body { get; set; } = "";

    public WebhookDeliveryStatus Status { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    public int? LastStatusCode { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
