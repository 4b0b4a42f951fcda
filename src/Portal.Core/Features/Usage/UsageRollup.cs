using Portal.Core.Data;

namespace Portal.Core.Features.Usage;

/// <summary>
/// Usage of one tenant, key and model in one bucket (an hour or a day in Asia/Shanghai), maintained in the same
/// transaction as the usage records it sums (<see cref="UsageRollupObserver"/>). Dashboards and the bill check read
/// these, never the raw records.
/// </summary>
public abstract class UsageRollup : ITenantOwned
{
    public Guid TenantId { get; set; }

    public Guid ApiKeyId { get; set; }

    public string Model { get; set; } = "";

    public long Requests { get; set; }

    /// <summary>Requests that failed or broke off upstream (<see cref="UsageRollupObserver.IsError"/>).</summary>
    public long Errors { get; set; }

    public long InputTokens { get; set; }

    public long CachedInputTokens { get; set; }

    public long OutputTokens { get; set; }

    public long CostMicroYuan { get; set; }

    public long PlanCreditUsedMicroYuan { get; set; }

    public long WalletChargedMicroYuan { get; set; }
}

/// <summary>An hour in Asia/Shanghai, <see cref="Hour"/> = yyyyMMddHH.</summary>
public sealed class UsageHourly : UsageRollup
{
    public int Hour { get; set; }
}

/// <summary>A day in Asia/Shanghai, <see cref="Day"/> = yyyyMMdd.</summary>
public sealed class UsageDaily : UsageRollup
{
    public int Day { get; set; }
}

/// <summary>
/// Requests per upstream channel, model and hour (Asia/Shanghai, yyyyMMddHH), across tenants: the operator's channel
/// error rates and latency. <see cref="ChannelId"/> is <see cref="Guid.Empty"/> for requests refused before a channel
/// was chosen.
/// </summary>
public sealed class ChannelUsageHourly
{
    public Guid ChannelId { get; set; }

    public int Hour { get; set; }

    public string Model { get; set; } = "";

    public long Requests { get; set; }

    public long Errors { get; set; }

    public long LatencyMsSum { get; set; }

    /// <summary>Sum of time to first token over the <see cref="TimeToFirstTokenCount"/> requests that reported one.</summary>
    public long TimeToFirstTokenMsSum { get; set; }

    public long TimeToFirstTokenCount { get; set; }
}
