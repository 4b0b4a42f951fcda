using Portal.Relay.Streaming;

namespace Portal.Relay.Forwarding;

internal enum AttemptKind
{
    /// <summary>The upstream answered 2xx and its first byte (streaming: its first event) has arrived.</summary>
    Success,

    /// <summary>Connect error, timeout before the first byte, 5xx, 429, or an unusable answer: try the next channel.</summary>
    ChannelFailure,

    /// <summary>The upstream refused the request itself (400, 413, 422 …): every channel would; pass it to the client.</summary>
    ClientError,
}

/// <summary>The outcome of one channel up to its first byte. Owns the upstream response: dispose it.</summary>
internal sealed class UpstreamAttempt : IAsyncDisposable
{
    private readonly IDisposable? _response;
    private readonly CancellationTokenSource? _timeout;

    private UpstreamAttempt(AttemptKind kind, int status, IDisposable? response, CancellationTokenSource? timeout)
    {
        Kind = kind;
        Status = status;
        _response = response;
        _timeout = timeout;
    }

    public AttemptKind Kind { get; }

    /// <summary>The upstream's HTTP status (0 when none came: connect error or timeout).</summary>
    public int Status { get; }

    /// <summary>Why the channel failed, for its health record (no upstream body content).</summary>
    public string? Failure { get; private init; }

    public bool TimedOut { get; private init; }

    /// <summary>A whole (non-streaming) body, or a client error's body.</summary>
    public byte[]? Body { get; private init; }

    public string? ContentType { get; private init; }

    /// <summary>Streaming: the reader, positioned on the first event (<see cref="SseEventReader.Current"/>).</summary>
    public SseEventReader? Events { get; private init; }

    /// <summary>Cancelled when the client goes away or the upstream exceeds its time.</summary>
    public CancellationToken Token => _timeout?.Token ?? CancellationToken.None;

    public static UpstreamAttempt Whole(int status, byte[] body, string? contentType, IDisposable? response, CancellationTokenSource? timeout) =>
        new(AttemptKind.Success, status, response, timeout) { Body = body, ContentType = contentType };

    public static UpstreamAttempt Streaming(int status, SseEventReader events, IDisposable? response, CancellationTokenSource timeout) =>
        new(AttemptKind.Success, status, response, timeout) { Events = events, ContentType = "text/event-stream" };

    public static UpstreamAttempt ChannelFailed(int status, string failure, bool timedOut = false) =>
        new(AttemptKind.ChannelFailure, status, null, null) { Failure = failure, TimedOut = timedOut };

    public static UpstreamAttempt Refused(int status, byte[] body, string? contentType) =>
        new(AttemptKind.ClientError, status, null, null) { Body = body, ContentType = contentType };

    public async ValueTask DisposeAsync()
    {
        if (Events is not null) await Events.DisposeAsync();
        _response?.Dispose();
        _timeout?.Dispose();
    }
}
