using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Portal.Relay.Access;

namespace Portal.UnitTests.Relay.Access;

public class RateLimiterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_fresh_key_can_burst_its_whole_limit_then_is_denied()
    {
        var limiter = new RateLimiter(_time);

        var decisions = Enumerable.Range(0, 4).Select(_ => limiter.TryAcquire("key", 3)).ToList();

        Assert.Equal([true, true, true, false], decisions.Select(d => d.IsAllowed));
        Assert.Equal([2, 1, 0, 0], decisions.Select(d => d.Remaining));
        Assert.All(decisions, d => Assert.Equal(3, d.Limit));
    }

    [Fact]
    public void Denial_says_when_to_retry_and_that_moment_is_exact()
    {
        var limiter = new RateLimiter(_time);
        for (var i = 0; i < 3; i++) limiter.TryAcquire("key", 3);

        var denied = limiter.TryAcquire("key", 3);

        Assert.Equal(TimeSpan.FromSeconds(20), denied.RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(60), denied.ResetAfter);

        _time.Advance(TimeSpan.FromSeconds(20) - TimeSpan.FromTicks(1));
        Assert.False(limiter.TryAcquire("key", 3).IsAllowed);
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.True(limiter.TryAcquire("key", 3).IsAllowed);
    }

    [Fact]
    public void Denied_requests_are_not_counted()
    {
        var limiter = new RateLimiter(_time);
        for (var i = 0; i < 3; i++) limiter.TryAcquire("key", 3);
        for (var i = 0; i < 100; i++) Assert.False(limiter.TryAcquire("key", 3).IsAllowed);

        _time.Advance(TimeSpan.FromSeconds(20));

        Assert.True(limiter.TryAcquire("key", 3).IsAllowed);
    }

    [Fact]
    public void Steady_rate_at_the_limit_is_always_allowed()
    {
        var limiter = new RateLimiter(_time);
        for (var i = 0; i < 600; i++)
        {
            Assert.True(limiter.TryAcquire("key", 60).IsAllowed);
            _time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public void Reset_is_the_time_until_the_bucket_is_full_again()
    {
        var limiter = new RateLimiter(_time);

        var first = limiter.TryAcquire("key", 60);
        Assert.Equal(TimeSpan.FromSeconds(1), first.ResetAfter);
        Assert.Equal(59, first.Remaining);

        _time.Advance(TimeSpan.FromSeconds(1));
        var afterRefill = limiter.TryAcquire("key", 60);
        Assert.Equal(59, afterRefill.Remaining);
    }

    [Fact]
    public void Keys_are_limited_independently()
    {
        var limiter = new RateLimiter(_time);

        Assert.True(limiter.TryAcquire("a", 1).IsAllowed);
        Assert.False(limiter.TryAcquire("a", 1).IsAllowed);
        Assert.True(limiter.TryAcquire("b", 1).IsAllowed);
    }

    [Fact]
    public void Burst_is_exactly_the_limit_when_a_minute_is_not_a_multiple_of_the_interval()
    {
        var limiter = new RateLimiter(_time);
        const int limit = 70_001; // 600,000,000 ticks / 70,001 is not whole

        var allowed = Enumerable.Range(0, limit + 10).Count(_ => limiter.TryAcquire("key", limit).IsAllowed);

        Assert.Equal(limit, allowed);
    }

    [Fact]
    public void Many_parallel_callers_never_exceed_the_limit()
    {
        var limiter = new RateLimiter(_time);
        var allowed = 0;

        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, _ =>
        {
            if (limiter.TryAcquire("hot-key", 500).IsAllowed) Interlocked.Increment(ref allowed);
        });

        Assert.Equal(500, allowed);
    }

    [Fact]
    public void Many_parallel_callers_with_a_moving_clock_stay_within_the_limit()
    {
        var limiter = new RateLimiter(_time);
        var allowed = 0;

        // 10 rounds of 1 s; limit 600/min refills 10 per second: at most 600 + 10 × 10.
        for (var round = 0; round < 10; round++)
        {
            Parallel.For(0, 2_000, _ =>
            {
                if (limiter.TryAcquire("hot-key", 600).IsAllowed) Interlocked.Increment(ref allowed);
            });
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(600 + (9 * 10), allowed);
    }

    [Fact]
    public void Prune_forgets_only_full_buckets()
    {
        var limiter = new RateLimiter(_time);
        limiter.TryAcquire("idle", 60);
        for (var i = 0; i < 60; i++) limiter.TryAcquire("busy", 60);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, limiter.Prune());

        Assert.Equal(1, limiter.TrackedKeys);
        // busy kept its state: 2 s refilled 2 of its 60, one is taken now.
        Assert.Equal(1, limiter.TryAcquire("busy", 60).Remaining);
    }

    [Fact]
    public async Task Pruning_concurrently_with_acquiring_never_lets_extra_requests_in()
    {
        // Each round starts with a full (prunable) bucket; a pruner races 8 acquirers. Exactly one may pass per round.
        var limiter = new RateLimiter(_time);
        for (var round = 0; round < 200; round++)
        {
            _time.Advance(TimeSpan.FromMinutes(1));
            var allowed = 0;
            using var start = new Barrier(9);
            var pruner = Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                for (var i = 0; i < 50; i++) limiter.Prune();
            }, TaskCreationOptions.LongRunning);
            var acquirers = Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                for (var i = 0; i < 20; i++)
                {
                    if (limiter.TryAcquire("hot-key", 1).IsAllowed) Interlocked.Increment(ref allowed);
                }
            }, TaskCreationOptions.LongRunning)).ToArray();

            await Task.WhenAll([pruner, .. acquirers]);
            Assert.Equal(1, allowed);
        }
    }

    [Fact]
    public void Non_positive_limit_is_a_bug()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimiter(_time).TryAcquire("k", 0));
    }

    [Fact]
    public void Writes_openai_rate_limit_headers()
    {
        var limiter = new RateLimiter(_time);
        limiter.TryAcquire("key", 2);
        limiter.TryAcquire("key", 2);
        var denied = limiter.TryAcquire("key", 2);
        var headers = new HeaderDictionary();

        denied.WriteHeaders(headers);

        Assert.Equal("2", headers["x-ratelimit-limit-requests"]);
        Assert.Equal("0", headers["x-ratelimit-remaining-requests"]);
        Assert.Equal("1m0s", headers["x-ratelimit-reset-requests"]);
        Assert.Equal("30", headers["Retry-After"]);
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(250, "250ms")]
    [InlineData(1_000, "1s")]
    [InlineData(1_001, "2s")]
    [InlineData(17_000, "17s")]
    [InlineData(60_000, "1m0s")]
    [InlineData(360_000, "6m0s")]
    [InlineData(3_723_000, "1h2m3s")]
    public void Formats_durations_like_openai(int milliseconds, string expected)
    {
        Assert.Equal(expected, RateLimitDecision.FormatDuration(TimeSpan.FromMilliseconds(milliseconds)));
    }
}
