using System.Buffers;

namespace Portal.Relay.Streaming;

/// <summary>
/// Writes server-sent events into any <see cref="IBufferWriter{T}"/> (for example <c>HttpResponse.BodyWriter</c>).
/// The caller flushes after each event so the client sees tokens as they come.
/// </summary>
public static class SseWriter
{
    /// <summary>The bytes of <c>data: [DONE]</c> followed by the blank line.</summary>
    public static ReadOnlySpan<byte> DoneEvent => "data: [DONE]\n\n"u8;

    /// <summary>
    /// Writes <paramref name="data"/> as one event. A payload containing line breaks becomes several <c>data:</c> lines,
    /// which a reader joins back with <c>\n</c>.
    /// </summary>
    public static void WriteData(IBufferWriter<byte> output, ReadOnlySpan<byte> data)
    {
        while (true)
        {
            var lineEnd = data.IndexOfAny((byte)'\r', (byte)'\n');
            var line = lineEnd < 0 ? data : data[..lineEnd];
            Write(output, "data: "u8);
            Write(output, line);
            Write(output, "\n"u8);
            if (lineEnd < 0) break;
            var skip = data[lineEnd] == '\r' && lineEnd + 1 < data.Length && data[lineEnd + 1] == '\n' ? 2 : 1;
            data = data[(lineEnd + skip)..];
        }

        Write(output, "\n"u8);
    }

    /// <summary>Writes <c>data: [DONE]</c>, OpenAI's end of stream.</summary>
    public static void WriteDone(IBufferWriter<byte> output) => Write(output, DoneEvent);

    /// <summary>Writes a comment event (<c>: text</c>), which clients ignore; used as a keep-alive while waiting for an upstream.</summary>
    public static void WriteComment(IBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        Write(output, ": "u8);
        Write(output, text);
        Write(output, "\n\n"u8);
    }

    /// <summary>
    /// Forwards an upstream event byte-for-byte. A truncated event (the upstream hung up mid-event) gets the missing
    /// blank line so the client's parser is left in a clean state.
    /// </summary>
    public static void WriteRaw(IBufferWriter<byte> output, in SseEvent sseEvent)
    {
        var raw = sseEvent.Raw.Span;
        Write(output, raw);
        if (!sseEvent.IsTruncated) return;
        if (!raw.EndsWith("\n"u8) && !raw.EndsWith("\r"u8)) Write(output, "\n"u8);
        Write(output, "\n"u8);
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
