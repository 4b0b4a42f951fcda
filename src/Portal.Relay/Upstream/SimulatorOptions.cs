namespace Portal.Relay.Upstream;

/// <summary>Settings of the built-in Simulator channel (bound from configuration by the host).</summary>
public sealed record SimulatorOptions
{
    /// <summary>Time to the first byte (and, for non-streaming replies, added to the generation time).</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Generation speed; each streamed chunk is spaced by <c>1 s / TokensPerSecond</c>. 0 means instant.</summary>
    public int TokensPerSecond { get; init; } = 50;

    /// <summary>Share of requests, 0–1, that fail with <see cref="FailureStatusCode"/> (deterministic given <see cref="Seed"/>).</summary>
    public double FailureRate { get; init; }

    /// <summary>Status of a simulated failure: 500, 502, 503 (default) or 429, to exercise failover.</summary>
    public int FailureStatusCode { get; init; } = 503;

    /// <summary>Seed of the failure draws and of response ids; the same seed and call order give the same run.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Dimension of embedding vectors when the request does not ask for <c>dimensions</c>.</summary>
    public int EmbeddingDimensions { get; init; } = 256;

    /// <summary>Reply length bounds, in tokens, before <c>max_tokens</c> applies.</summary>
    public int MinReplyTokens { get; init; } = 20;

    /// <inheritdoc cref="MinReplyTokens"/>
    public int MaxReplyTokens { get; init; } = 60;

    /// <summary>The <c>system_fingerprint</c> in every response.</summary>
    public string SystemFingerprint { get; init; } = "fp_portal_sim";

    /// <summary>Throws when a setting is out of range; called by <see cref="SimulatorUpstream"/>'s constructor.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Latency, TimeSpan.Zero, nameof(Latency));
        ArgumentOutOfRangeException.ThrowIfNegative(TokensPerSecond, nameof(TokensPerSecond));
        if (FailureRate is < 0 or > 1 || double.IsNaN(FailureRate))
            throw new ArgumentOutOfRangeException(nameof(FailureRate), FailureRate, "Must be between 0 and 1.");
        if (FailureStatusCode is not (429 or 500 or 502 or 503))
            throw new ArgumentOutOfRangeException(nameof(FailureStatusCode), FailureStatusCode, "Must be 429, 500, 502 or 503.");
        ArgumentOutOfRangeException.ThrowIfLessThan(EmbeddingDimensions, 1, nameof(EmbeddingDimensions));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinReplyTokens, 1, nameof(MinReplyTokens));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReplyTokens, MinReplyTokens, nameof(MaxReplyTokens));
    }
}
