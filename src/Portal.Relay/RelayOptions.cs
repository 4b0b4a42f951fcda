using System.ComponentModel.DataAnnotations;

namespace Portal.Relay;

/// <summary>Bound from <c>Relay</c>: limits, caches, leases and settlement of the <c>/v1</c> relay.</summary>
public sealed class RelayOptions
{
    public const string Section = "Relay";

    /// <summary>Largest request body accepted; larger ones get 413.</summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long MaxBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>How much of a tenant's available money one replica reserves at a time (micro-yuan; default ¥20).</summary>
    [Range(1, long.MaxValue)]
    public long LeaseBlockMicroYuan { get; set; } = 20_000_000;

    /// <summary>A lease not renewed for this long belongs to a dead replica; the release job returns it.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00")]
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>A tenant's lease is released after this long without requests on this replica.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseIdleRelease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long settlements wait in memory to be written together; a hard crash loses at most this much usage.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Most usage records per settlement transaction.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 500;

    /// <summary>This process's id in <c>wallet_leases</c>; empty = machine name, process id and a random suffix.</summary>
    [MaxLength(100)]
    public string ReplicaId { get; set; } = "";

    /// <summary>How long keys, tenant state, models, prices and channels are cached (other replicas see a change within it).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an unknown key hash is remembered as unknown.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan NegativeCacheTtl { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest an upstream may take for a whole response after its first byte.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan UpstreamTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Circuit breaker: share of failed attempts within <see cref="CircuitSamplingDuration"/> that opens a channel's circuit.</summary>
    [Range(0.01, 1.0)]
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>Circuit breaker: attempts needed in the window before it may open.</summary>
    [Range(2, 10_000)]
    public int CircuitMinimumThroughput { get; set; } = 5;

    [Range(typeof(TimeSpan), "00:00:00.5", "01:00:00")]
    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit stays open before one probe request is let through (half-open).</summary>
    [Range(typeof(TimeSpan), "00:00:00.5", "01:00:00")]
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The replica id in use (configured or generated once per process).</summary>
    internal string EffectiveReplicaId { get; set; } = "";
}
