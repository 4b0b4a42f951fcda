using System.Buffers;
using System.Text.Json;
using Portal.Relay.Tokens;

namespace Portal.Relay.Streaming;

/// <summary>
/// Reads the parts of a <c>chat.completion.chunk</c> (or of a whole <c>chat.completion</c>) that metering needs —
/// <c>model</c>, <c>usage</c>, <c>choices</c> — with one forward pass of <see cref="Utf8JsonReader"/>, skipping the rest.
/// </summary>
public static class ChunkInspector
{
    /// <summary>
    /// Inspects <paramref name="json"/>. When <paramref name="completionText"/> is given, the UTF-8 text of every
    /// <c>choices[].delta.content</c>, <c>choices[].message.content</c> and tool-call <c>arguments</c> is appended to it
    /// (unescaped), for the tokenizer fallback when usage never comes.
    /// </summary>
    public static ChunkInfo Inspect(ReadOnlySpan<byte> json, IBufferWriter<byte>? completionText = null, bool captureModel = true)
    {
        try
        {
            return InspectCore(json, completionText, captureModel);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    /// <summary>Shorthand for <see cref="ChunkInfo.IsUsageOnly"/> of <paramref name="json"/>.</summary>
    public static bool IsUsageOnlyChunk(ReadOnlySpan<byte> json) => Inspect(json, captureModel: false).IsUsageOnly;

    private static ChunkInfo InspectCore(ReadOnlySpan<byte> json, IBufferWriter<byte>? text, bool captureModel)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return default;

        string? model = null;
        TokenUsage? usage = null;
        var hasChoices = false;
        var choiceCount = 0;
        var finished = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (captureModel && reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) model = reader.GetString();
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                usage = reader.TokenType == JsonTokenType.StartObject ? ReadUsage(ref reader) : SkipNull(ref reader);
            }
            else if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                hasChoices = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    choiceCount++;
                    if (reader.TokenType == JsonTokenType.StartObject) finished |= ReadChoice(ref reader, text);
                    else reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new ChunkInfo
        {
            IsJson = true,
            Model = model,
            Usage = usage,
            HasChoices = hasChoices,
            ChoiceCount = choiceCount,
            HasFinishReason = finished,
        };
    }

    private static TokenUsage? SkipNull(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }

    private static bool ReadChoice(ref Utf8JsonReader reader, IBufferWriter<byte>? text)
    {
        var finished = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                finished = reader.TokenType != JsonTokenType.Null;
                reader.Skip();
            }
            else if (text is not null && (reader.ValueTextEquals("delta"u8) || reader.ValueTextEquals("message"u8)))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject) ReadMessage(ref reader, text);
                else reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return finished;
    }

    private static void ReadMessage(ref Utf8JsonReader reader, IBufferWriter<byte> text)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("reasoning_content"u8) || reader.ValueTextEquals("refusal"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) AppendString(ref reader, text);
                else reader.Skip();
            }
            else if (reader.ValueTextEquals("tool_calls"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray) ReadToolCalls(ref reader, text);
                else reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static void ReadToolCalls(ref Utf8JsonReader reader, IBufferWriter<byte> text)
    {
        // tool_calls[].function.{name,arguments}: the arguments stream in pieces; the name comes once.
        var depthOfArray = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == depthOfArray))
        {
            if (reader.TokenType != JsonTokenType.PropertyName) continue;
            if (reader.ValueTextEquals("arguments"u8) || reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) AppendString(ref reader, text);
                else reader.Skip();
            }
        }
    }

    private static TokenUsage ReadUsage(ref Utf8JsonReader reader)
    {
        long prompt = 0, completion = 0, cached = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                prompt = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                completion = ReadCount(ref reader);
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("cached_tokens"u8)) cached = ReadCount(ref reader);
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

        return new TokenUsage(prompt, cached, completion, IsEstimated: false);
    }

    private static long ReadCount(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value >= 0) return value;
        reader.Skip();
        return 0;
    }

    private static void AppendString(ref Utf8JsonReader reader, IBufferWriter<byte> text)
    {
        if (!reader.ValueIsEscaped)
        {
            var value = reader.ValueSpan;
            value.CopyTo(text.GetSpan(value.Length));
            text.Advance(value.Length);
            return;
        }

        var destination = text.GetSpan(reader.ValueSpan.Length); // unescaping never grows UTF-8
        var written = reader.CopyString(destination);
        text.Advance(written);
    }
}
