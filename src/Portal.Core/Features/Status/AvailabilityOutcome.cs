using Portal.Core.Features.Usage;

namespace Portal.Core.Features.Status;

/// <summary>How a relayed request counts for availability.</summary>
public enum AvailabilityOutcome
{
    /// <summary>Not counted: the client's own error (an upstream 4xx refusal of the request) or the client hung up before any answer.</summary>
    Excluded,

    /// <summary>Counted, and the platform served it (including a client that left mid-answer).</summary>
    Served,

    /// <summary>Counted as a platform failure: every channel failed (502/503/504), a 5xx of the portal itself, or the upstream broke off mid-stream.</summary>
    PlatformFailure,
}

public static class Availability
{
    /// <summary>
    /// Refusals before admission (bad key, bad input, rate limit, insufficient quota, unknown model) never become usage
    /// records, so they cannot lower the figure; of the admitted requests, a failure with a 4xx status (the upstream
    /// refused the request as the client sent it, or the client cancelled: 499) is the client's and is not counted.
    /// </summary>
    public static AvailabilityOutcome Classify(UsageRecord record) => record.Status switch
    {
        UsageStatus.Succeeded or UsageStatus.ClientCancelled => AvailabilityOutcome.Served,
        UsageStatus.UpstreamInterrupted => AvailabilityOutcome.PlatformFailure,
        UsageStatus.Failed when record.HttpStatus >= 500 => AvailabilityOutcome.PlatformFailure,
        _ => AvailabilityOutcome.Excluded,
    };

    /// <summary>Parts per million served; 1,000,000 (100 %) for a day without counted requests.</summary>
    public static long PartsPerMillion(long requests, long platformFailures) =>
        requests <= 0 ? 1_000_000 : (requests - platformFailures) * 1_000_000 / requests;
}
