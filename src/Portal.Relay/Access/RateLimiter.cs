using System.Collections.Concurrent;

namespace Portal.Relay.Access;

/// <summary>
/// Per-key requests-per-minute limits, in memory, lock-free.
/// </summary>
/// <remarks>
/// <para><b>Algorithm: GCRA</b> (the generic cell rate algorithm, a token bucket kept as one number). For a limit of
/// <c>L</c> per minute, requests are spaced by the emission interval <c>T = 1 min / L</c>; the state per key is the
/// theoretical arrival time <c>TAT</c>. A request at <c>now</c> is allowed when <c>TAT − now ≤ (L − 1)·T</c>, and then
/// <c>TAT = max(TAT, now) + T</c>. A fresh key can burst <c>L</c> requests at once, then gets one more every <c>T</c>;
/// in any window of one minute at most <c>L</c> plus the requests refilled during it pass — the same guarantee as a
/// token bucket of capacity <c>L</c> refilling at <c>L</c>/min. Chosen over a sliding-window log (memory per request)
/// and a fixed window (2·L bursts at window edges): one <see cref="long"/> per key, O(1), no timers.</para>
/// <para>The burst tolerance is computed as <c>(L − 1)·T</c> with <c>T</c> truncated to ticks, rather than "one minute",
/// so the burst is exactly <c>L</c> even when 1 min is not a multiple of <c>L</c> ticks.</para>
/// <para>Limits are per replica: with N replicas a key can get up to N·L per minute. Changing a key's limit takes
/// effect on its next request; the state carries over.</para>
/// </remarks>
public sealed class RateLimiter
{
    // NOTE: a bucket removed by Prune is first marked Dead with a CAS, so an acquirer holding the old instance either
    // lands its CAS before that (and Prune then sees a TAT in the future and keeps it) or sees Dead and re-fetches. No
    // request can be counted in a bucket that is no longer in the dictionary, so pruning never lets extra requests in.
    private const long Dead = long.MinValue;

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Creates a limiter reading time from <paramref name="time"/>.</summary>
    public RateLimiter(TimeProvider time) => _time = time;

    /// <summary>Number of keys with state (for metrics and tests).</summary>
    public int TrackedKeys => _buckets.Count;

    /// <summary>
    /// Counts one request for <paramref name="key"/> (an API key id) against <paramref name="requestsPerMinute"/>, or
    /// denies it without counting. Safe to call from any number of threads.
    /// </summary>
    public RateLimitDecision TryAcquire(string key, int requestsPerMinute)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(requestsPerMinute);
        var interval = Math.Max(1, TimeSpan.TicksPerMinute / requestsPerMinute);
        var tolerance = interval * (requestsPerMinute - 1);
        var now = _time.GetUtcNow().UtcTicks;

        while (true)
        {
            var bucket = _buckets.GetOrAdd(key, static _ => new Bucket());
            var tat = Volatile.Read(ref bucket.TheoreticalArrival);
            if (tat == Dead)
            {
                _buckets.TryRemove(new KeyValuePair<string, Bucket>(key, bucket));
                continue;
            }

            var start = Math.Max(tat, now);
            if (start - now > tolerance)
            {
                // Denied: not counted. One request becomes possible when TAT − now falls to the tolerance.
                var retry = start - now - tolerance;
                return new RateLimitDecision(false, requestsPerMinute, 0, TimeSpan.FromTicks(start - now), TimeSpan.FromTicks(retry));
            }

            var next = start + interval;
            if (Interlocked.CompareExchange(ref bucket.TheoreticalArrival, next, tat) != tat) continue; // lost a race: retry with the new TAT

            var remaining = (int)Math.Min(requestsPerMinute, Math.Max(0, ((now + tolerance - next) / interval) + 1));
            return new RateLimitDecision(true, requestsPerMinute, remaining, TimeSpan.FromTicks(next - now), TimeSpan.Zero);
        }
    }

    /// <summary>
    /// Forgets keys whose bucket is full again (their next request would be treated exactly like a new key's), so
    /// memory stays proportional to recently active keys. Call it from a periodic timer.
    /// </summary>
    /// <returns>The number of keys removed.</returns>
    public int Prune()
    {
        var now = _time.GetUtcNow().UtcTicks;
        var removed = 0;
        foreach (var (key, bucket) in _buckets)
        {
            var tat = Volatile.Read(ref bucket.TheoreticalArrival);
            if (tat == Dead || tat > now) continue;
            if (Interlocked.CompareExchange(ref bucket.TheoreticalArrival, Dead, tat) != tat) continue;
            if (_buckets.TryRemove(new KeyValuePair<string, Bucket>(key, bucket))) removed++;
        }

        return removed;
    }

    private sealed class Bucket
    {
        public long TheoreticalArrival = long.MinValue + 1;
    }
}
