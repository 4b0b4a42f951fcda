namespace Portal.Relay.Streaming;

/// <summary>
/// One server-sent event as read from an upstream. <see cref="Raw"/> is every byte of the event exactly as received,
/// including its field lines and the blank line that ends it, so the relay can forward it unchanged.
/// </summary>
/// <remarks>
/// The memory belongs to the <see cref="SseEventReader"/> that produced it and is valid only until its next
/// <see cref="SseEventReader.ReadAsync"/>; copy it to keep it.
/// </remarks>
public readonly struct SseEvent
{
    internal SseEvent(ReadOnlyMemory<byte> raw, ReadOnlyMemory<byte> data, bool hasData, ReadOnlyMemory<byte> eventType, bool isTruncated)
    {
        Raw = raw;
        Data = data;
        HasData = hasData;
        EventType = eventType;
        IsTruncated = isTruncated;
    }

    /// <summary>The event's bytes exactly as the upstream sent them.</summary>
    public ReadOnlyMemory<byte> Raw { get; }

    /// <summary>The payload: the values of the event's <c>data:</c> lines joined by <c>\n</c> (one leading space removed from each).</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>False for events without a <c>data</c> field, such as <c>: keep-alive</c> comments.</summary>
    public bool HasData { get; }

    /// <summary>The <c>event:</c> field's value, empty when absent (OpenAI does not send one).</summary>
    public ReadOnlyMemory<byte> EventType { get; }

    /// <summary>
    /// True when the stream ended before the blank line that closes this event. Such an event must not be trusted
    /// (browsers discard it); the relay may still forward <see cref="Raw"/> to a client that asked for a byte-for-byte relay.
    /// </summary>
    public bool IsTruncated { get; }

    /// <summary>True for OpenAI's end-of-stream sentinel, <c>data: [DONE]</c>.</summary>
    public bool IsDone => HasData && Data.Span.Trim(" \t"u8).SequenceEqual("[DONE]"u8);
}
