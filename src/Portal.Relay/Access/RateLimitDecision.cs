using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Portal.Relay.Access;

/// <summary>
/// The answer of <see cref="RateLimiter.TryAcquire"/>, with what OpenAI clients read from the
/// <c>x-ratelimit-*-requests</c> headers.
/// </summary>
/// <param name="IsAllowed">True when the request may proceed (it has been counted).</param>
/// <param name="Limit">Requests per minute the key is allowed.</param>
/// <param name="Remaining">Requests that could still be made right now, after this one.</param>
/// <param name="ResetAfter">Time until the full <paramref name="Limit"/> is available again.</param>
/// <param name="RetryAfter">For a denied request, the wait until one request would be allowed; zero when allowed.</param>
public readonly record struct RateLimitDecision(bool IsAllowed, int Limit, int Remaining, TimeSpan ResetAfter, TimeSpan RetryAfter)
{
    /// <summary>
    /// Sets <c>x-ratelimit-limit-requests</c>, <c>x-ratelimit-remaining-requests</c>, <c>x-ratelimit-reset-requests</c>
    /// (OpenAI's duration format, e.g. <c>1s</c>, <c>6m0s</c>, <c>250ms</c>) and, when denied, <c>Retry-After</c> in whole
    /// seconds (rounded up, as the header has no fractions).
    /// </summary>
    public void WriteHeaders(IHeaderDictionary headers)
    {
        headers["x-ratelimit-limit-requests"] = Limit.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining-requests"] = Remaining.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-reset-requests"] = FormatDuration(ResetAfter);
        if (!IsAllowed)
            headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>OpenAI's reset format: <c>250ms</c> under a second, else <c>17s</c>, <c>1m0s</c>, <c>1h2m3s</c> (sub-second part rounded up).</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero) return "0s";
        if (duration < TimeSpan.FromSeconds(1))
            return ((long)Math.Ceiling(duration.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture) + "ms";

        var seconds = (long)Math.Ceiling(duration.TotalSeconds);
        var hours = seconds / 3600;
        var minutes = seconds / 60 % 60;
        var rest = seconds % 60;
        if (hours > 0) return string.Create(CultureInfo.InvariantCulture, $"{hours}h{minutes}m{rest}s");
        if (minutes > 0) return string.Create(CultureInfo.InvariantCulture, $"{minutes}m{rest}s");
        return string.Create(CultureInfo.InvariantCulture, $"{rest}s");
    }
}
