using Polly;
using Polly.CircuitBreaker;
using Portal.Core.Features.Catalog;
using Portal.Relay.Upstream;

namespace Portal.Relay.Forwarding;

/// <summary>A channel's settings as read from the catalog (the upstream key decrypted), immutable.</summary>
internal sealed record ChannelSettings(
    Guid Id,
    string Name,
    ChannelType Type,
    Uri? ChatUri,
    Uri? EmbeddingsUri,
    string? ApiKey,
    TimeSpan ConnectTimeout,
    TimeSpan FirstByteTimeout,
    int SimulatorLatencyMs,
    int SimulatorTokensPerSecond,
    int SimulatorFailurePerMille)
{
    /// <summary>The wire format the channel speaks (a simulator: the one it is set to).</summary>
    public WireFamily Family { get; init; }

    /// <summary>The base URL as configured, without a trailing slash (null for the simulator).</summary>
    public string? BaseUrl { get; init; }

    /// <summary>OpenAI-compatible: the upstream serves <c>/responses</c> too.</summary>
    public bool SupportsResponsesApi { get; init; }

    /// <summary>Azure OpenAI: the <c>api-version</c> query parameter.</summary>
    public string? AzureApiVersion { get; init; }

    /// <summary>Where the provider processes data; the tenant data policy's cross-border rules look at it.</summary>
    public ChannelRegion Region { get; init; }

    /// <summary>Anthropic: <c>{base}/v1/messages</c>.</summary>
    public Uri? MessagesUri { get; init; }

    /// <summary>Anthropic: <c>{base}/v1/messages/count_tokens</c>.</summary>
    public Uri? CountTokensUri { get; init; }

    public static ChannelSettings From(Channel channel, string? apiKey)
    {
        var baseUrl = channel.BaseUrl?.TrimEnd('/');
        Uri? Under(string path) => channel.Type == ChannelType.Anthropic && Uri.TryCreate(baseUrl + "/" + path, UriKind.Absolute, out var uri) ? uri : null;
        Uri? Endpoint(string path) =>
            channel.Type == ChannelType.OpenAICompatible && Uri.TryCreate(channel.BaseUrl?.TrimEnd('/') + "/" + path, UriKind.Absolute, out var uri) ? uri : null;
        return new ChannelSettings(
            channel.Id,
            channel.Name,
            channel.Type,
            Endpoint("chat/completions"),
            Endpoint("embeddings"),
            apiKey,
            TimeSpan.FromMilliseconds(Math.Max(1, channel.ConnectTimeoutMs)),
            TimeSpan.FromMilliseconds(Math.Max(1, channel.FirstByteTimeoutMs)),
            channel.SimulatorLatencyMs,
            channel.SimulatorTokensPerSecond,
            channel.SimulatorFailurePerMille)
        {
            Family = ChannelTypes.WireFamilyOf(channel.Type, channel.SimulatorWireFamily),
            BaseUrl = baseUrl,
            SupportsResponsesApi = channel.SupportsResponsesApi,
            AzureApiVersion = channel.AzureApiVersion,
            Region = channel.Region,
            MessagesUri = Under("v1/messages"),
            CountTokensUri = Under("v1/messages/count_tokens"),
        };
    }
}

/// <summary>
/// What lives as long as the process for one channel, whatever the catalog refreshes: its circuit breaker (Polly,
/// closed → open after too many failures → half-open probe → closed), its recent health and its simulator instance.
/// </summary>
internal sealed class ChannelRuntime
{
    private readonly TimeProvider _clock;
    private volatile ChannelSettings _settings;
    private volatile SimulatorUpstream? _simulator;

    public ChannelRuntime(ChannelSettings settings, RelayOptions options, TimeProvider clock)
    {
        _clock = clock;
        _settings = settings;
        _simulator = CreateSimulator(settings, clock);
        Stats = new ChannelStats(clock);
        Breaker = new ResiliencePipelineBuilder<UpstreamAttempt> { TimeProvider = clock }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<UpstreamAttempt>
            {
                FailureRatio = options.CircuitFailureRatio,
                MinimumThroughput = options.CircuitMinimumThroughput,
                SamplingDuration = options.CircuitSamplingDuration,
                BreakDuration = options.CircuitBreakDuration,
                StateProvider = State,
                // The client going away says nothing about the channel; only the channel's own failures count.
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is { } e
                    ? e is not OperationCanceledException
                    : args.Outcome.Result is { Kind: AttemptKind.ChannelFailure }),
            })
            .Build();
    }

    public Guid Id => _settings.Id;

    public ChannelSettings Settings => _settings;

    public SimulatorUpstream? Simulator => _simulator;

    public ResiliencePipeline<UpstreamAttempt> Breaker { get; }

    public CircuitBreakerStateProvider State { get; } = new();

    public ChannelStats Stats { get; }

    public void Update(ChannelSettings settings)
    {
        var previous = _settings;
        _settings = settings;
        if (previous.Type != settings.Type || previous.Family != settings.Family || previous.SimulatorLatencyMs != settings.SimulatorLatencyMs
            || previous.SimulatorTokensPerSecond != settings.SimulatorTokensPerSecond || previous.SimulatorFailurePerMille != settings.SimulatorFailurePerMille)
            _simulator = CreateSimulator(settings, _clock);
    }

    public Core.Features.Catalog.CircuitState Circuit => State.CircuitState switch
    {
        Polly.CircuitBreaker.CircuitState.Open or Polly.CircuitBreaker.CircuitState.Isolated => Core.Features.Catalog.CircuitState.Open,
        Polly.CircuitBreaker.CircuitState.HalfOpen => Core.Features.Catalog.CircuitState.HalfOpen,
        _ => Core.Features.Catalog.CircuitState.Closed,
    };

    private static SimulatorUpstream? CreateSimulator(ChannelSettings settings, TimeProvider clock) =>
        settings.Type != ChannelType.Simulator
            ? null
            : new SimulatorUpstream(new SimulatorOptions
            {
                Latency = TimeSpan.FromMilliseconds(Math.Max(0, settings.SimulatorLatencyMs)),
                TokensPerSecond = Math.Max(0, settings.SimulatorTokensPerSecond),
                FailureRate = Math.Clamp(settings.SimulatorFailurePerMille, 0, 1000) / 1000.0,
                FailureStatusCode = 500,
                Seed = (ulong)settings.Id.GetHashCode(),
            }, clock);
}

/// <summary>A channel's last attempts on this replica (success, latency) and its last error.</summary>
internal sealed class ChannelStats(TimeProvider clock)
{
    private const int Window = 200;
    private readonly Lock _gate = new();
    private readonly bool[] _ok = new bool[Window];
    private readonly double[] _latencyMs = new double[Window];
    private int _next;
    private int _count;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;

    public void Record(bool ok, double latencyMs, string? error)
    {
        lock (_gate)
        {
            _ok[_next] = ok;
            _latencyMs[_next] = latencyMs;
            _next = (_next + 1) % Window;
            if (_count < Window) _count++;
            if (!ok)
            {
                _lastError = error;
                _lastErrorAt = clock.GetUtcNow();
            }
        }
    }

    public (int Requests, double SuccessRate, double P50LatencyMs, string? LastError, DateTimeOffset? LastErrorAt) Read()
    {
        lock (_gate)
        {
            if (_count == 0) return (0, 1, 0, _lastError, _lastErrorAt);
            var ok = 0;
            var latencies = new double[_count];
            for (var i = 0; i < _count; i++)
            {
                if (_ok[i]) ok++;
                latencies[i] = _latencyMs[i];
            }

            Array.Sort(latencies);
            return (_count, (double)ok / _count, latencies[_count / 2], _lastError, _lastErrorAt);
        }
    }
}
