using System.Threading.RateLimiting;

namespace Portal.Web.Hosting;

/// <summary>
/// A fixed-window limiter on the injected <see cref="TimeProvider"/> (the framework's windows run on the machine's
/// stopwatch, which tests cannot move): at most <c>permitLimit</c> acquisitions per window, the window starting at the
/// first acquisition. A refused lease says when the window ends (<see cref="MetadataName.RetryAfter"/>). No queueing:
/// a throttled sign-in is answered at once.
/// </summary>
public sealed class ClockWindowRateLimiter(TimeProvider clock, int permitLimit, TimeSpan window) : RateLimiter
{
    private readonly Lock _gate = new();
    private DateTimeOffset _windowEndsAt = DateTimeOffset.MinValue;
    private int _used;
    private long _successful;
    private long _failed;

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_gate)
            {
                var now = clock.GetUtcNow();
                return now >= _windowEndsAt ? now - _windowEndsAt : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_gate)
        {
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = clock.GetUtcNow() >= _windowEndsAt ? permitLimit : permitLimit - _used,
                TotalSuccessfulLeases = _successful,
                TotalFailedLeases = _failed,
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permitCount);
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (now >= _windowEndsAt)
            {
                _windowEndsAt = now + window;
                _used = 0;
            }

            if (permitCount == 0 || _used + permitCount <= permitLimit)
            {
                _used += permitCount;
                _successful++;
                return Granted.Instance;
            }

            _failed++;
            return new Refused(_windowEndsAt - now);
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    private sealed class Granted : RateLimitLease
    {
        public static readonly Granted Instance = new();

        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }

    private sealed class Refused(TimeSpan retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => false;

        public override IEnumerable<string> MetadataNames => [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
