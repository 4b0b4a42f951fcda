using Portal.Relay.Tokens;

namespace Portal.Relay.Streaming;

/// <summary>
/// Meters one streamed completion while it is relayed: remembers the upstream's <c>model</c>, the <c>usage</c> it
/// reports (normally in the last chunk) and, in case usage never comes (the upstream ignores
/// <c>stream_options</c>, or the client disconnects first), the completion text to count with a tokenizer.
/// </summary>
/// <remarks>
/// The completion text lives only in pooled memory for the lifetime of the request and is never stored. Not
/// thread-safe: one meter per request, fed by the loop that forwards the events.
/// </remarks>
public sealed class StreamMeter : IDisposable
{
    private readonly PooledByteBuffer _completionText = new();

    /// <summary>The upstream's <c>model</c> from the first chunk that carried one.</summary>
    public string? Model { get; private set; }

    /// <summary>The last <c>usage</c> the upstream reported, if any.</summary>
    public TokenUsage? ReportedUsage { get; private set; }

    /// <summary>True once <c>data: [DONE]</c> has been seen.</summary>
    public bool SawDone { get; private set; }

    /// <summary>True once a choice carried a <c>finish_reason</c>.</summary>
    public bool SawFinishReason { get; private set; }

    /// <summary>Bytes of completion text collected so far (for the fallback count).</summary>
    public int CompletionTextBytes => _completionText.WrittenCount;

    /// <summary>Records what <paramref name="sseEvent"/> says and returns its chunk details (default for non-JSON events).</summary>
    public ChunkInfo Observe(in SseEvent sseEvent)
    {
        if (!sseEvent.HasData) return default;
        if (sseEvent.IsDone)
        {
            SawDone = true;
            return default;
        }

        var info = ChunkInspector.Inspect(sseEvent.Data.Span, _completionText, captureModel: Model is null);
        if (info.Model is not null) Model = info.Model;
        if (info.Usage is not null) ReportedUsage = info.Usage;
        SawFinishReason |= info.HasFinishReason;
        return info;
    }

    /// <summary>
    /// The usage to bill: what the upstream reported, else an estimate — <paramref name="promptTokensEstimate"/> (counted
    /// from the request before forwarding) plus the collected completion text counted with <paramref name="encoding"/>.
    /// </summary>
    public TokenUsage Resolve(long promptTokensEstimate, TokenEncoding encoding)
    {
        if (ReportedUsage is { } reported) return reported;
        var completion = TokenCounter.Shared.CountUtf8(_completionText.WrittenSpan, encoding);
        return new TokenUsage(promptTokensEstimate, 0, completion, IsEstimated: true);
    }

    /// <summary>Returns the pooled text buffer.</summary>
    public void Dispose() => _completionText.Dispose();
}
