using System.Buffers;
using System.Text.Json;
using Portal.Relay.Streaming;
using Portal.Relay.Tokens;

namespace Portal.Relay.Protocols.Responses;

/// <summary>
/// Meters a Responses API answer that passes through unchanged: the <c>usage</c> of the response object (top level of a
/// whole body; inside <c>response</c> of the <c>response.completed</c> / <c>.incomplete</c> / <c>.failed</c> events), and,
/// in case usage never comes, the generated text (<c>response.output_text.delta</c> and
/// <c>response.function_call_arguments.delta</c>) for the tokenizer.
/// </summary>
/// <remarks>The text lives only in pooled memory for the request and is never stored. One meter per request.</remarks>
internal sealed class ResponsesMeter : IDisposable
{
    private readonly PooledByteBuffer _text = new();

    /// <summary>The usage the upstream reported, if any.</summary>
    public TokenUsage? ReportedUsage { get; private set; }

    /// <summary>True once a terminal event (<c>response.completed</c>, <c>.incomplete</c>, <c>.failed</c>) was seen.</summary>
    public bool SawTerminal { get; private set; }

    /// <summary>Records what one streamed event says.</summary>
    public void Observe(in SseEvent sseEvent)
    {
        if (!sseEvent.HasData) return;
        try
        {
            ObserveCore(sseEvent.Data.Span);
        }
        catch (JsonException)
        {
            // Not JSON: nothing to meter; the bytes still go to the client unchanged.
        }
    }

    /// <summary>Reads the usage of a whole (non-streaming) response body, and its text for the fallback count.</summary>
    public void ObserveWhole(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return;
            ReadResponseObject(ref reader, collectText: true);
            SawTerminal = true;
        }
        catch (JsonException)
        {
        }
    }

    /// <summary>What the upstream reported, else the prompt estimate plus the counted text, marked estimated.</summary>
    public TokenUsage Resolve(long promptTokensEstimate, TokenEncoding encoding)
    {
        if (ReportedUsage is { } reported) return reported;
        return new TokenUsage(promptTokensEstimate, 0, TokenCounter.Shared.CountUtf8(_text.WrittenSpan, encoding), IsEstimated: true);
    }

    public void Dispose() => _text.Dispose();

    private void ObserveCore(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return;
        var kind = EventKind.Other;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String) continue;
                if (reader.ValueTextEquals("response.output_text.delta"u8) || reader.ValueTextEquals("response.function_call_arguments.delta"u8)
                    || reader.ValueTextEquals("response.refusal.delta"u8) || reader.ValueTextEquals("response.reasoning_summary_text.delta"u8))
                {
                    kind = EventKind.TextDelta;
                }
                else if (reader.ValueTextEquals("response.completed"u8) || reader.ValueTextEquals("response.incomplete"u8) || reader.ValueTextEquals("response.failed"u8))
                {
                    kind = EventKind.Terminal;
                    SawTerminal = true;
                }
            }
            else if (kind == EventKind.TextDelta && reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) Append(ref reader, _text);
                else reader.Skip();
            }
            else if (kind == EventKind.Terminal && reader.ValueTextEquals("response"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject) ReadResponseObject(ref reader, collectText: false);
                else reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private enum EventKind
    {
        Other,
        TextDelta,
        Terminal,
    }

    /// <summary>Reads one response object (the reader on its StartObject) up to its EndObject.</summary>
    private void ReadResponseObject(ref Utf8JsonReader reader, bool collectText)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject) ReportedUsage = ReadUsage(ref reader);
                else reader.Skip();
            }
            else if (collectText && reader.ValueTextEquals("output"u8))
            {
                reader.Read();
                CollectOutputText(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private void CollectOutputText(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == depth))
        {
            if (reader.TokenType != JsonTokenType.PropertyName) continue;
            if (!reader.ValueTextEquals("text"u8) && !reader.ValueTextEquals("arguments"u8) && !reader.ValueTextEquals("refusal"u8)) continue;
            reader.Read();
            if (reader.TokenType == JsonTokenType.String) Append(ref reader, _text);
        }
    }

    /// <summary>The Responses usage object: <c>input_tokens</c> (cached included), <c>input_tokens_details.cached_tokens</c>, <c>output_tokens</c>.</summary>
    internal static TokenUsage ReadUsage(ref Utf8JsonReader reader)
    {
        long input = 0, cached = 0, output = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("input_tokens"u8)) input = Count(ref reader);
            else if (reader.ValueTextEquals("output_tokens"u8)) output = Count(ref reader);
            else if (reader.ValueTextEquals("input_tokens_details"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("cached_tokens"u8)) cached = Count(ref reader);
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new TokenUsage(input, Math.Min(cached, input), output, IsEstimated: false);
    }

    private static long Count(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value >= 0) return value;
        reader.Skip();
        return 0;
    }

    private static void Append(ref Utf8JsonReader reader, IBufferWriter<byte> text)
    {
        var destination = text.GetSpan(reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length);
        var written = reader.CopyString(destination);
        text.Advance(written);
    }
}
