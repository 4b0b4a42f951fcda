using System.Buffers;
using System.Text.Json;
using Portal.Relay.Errors;

namespace Portal.Relay.Streaming;

/// <summary>What <see cref="RequestBodyRewriter.Rewrite"/> found and changed.</summary>
/// <param name="Stream">The request has <c>"stream": true</c>.</param>
/// <param name="ClientRequestedUsage">The client itself set <c>stream_options.include_usage</c> to true; only then is the
/// upstream's usage-only chunk forwarded to it.</param>
/// <param name="UsageRequestAdded">The rewriter turned <c>include_usage</c> on for the relay's own metering.</param>
/// <param name="ModelReplaced">A top-level <c>model</c> string was replaced.</param>
public readonly record struct RewriteOutcome(bool Stream, bool ClientRequestedUsage, bool UsageRequestAdded, bool ModelReplaced);

/// <summary>
/// Edits a client's request body for the upstream by splicing bytes: the top-level <c>model</c> value is replaced
/// (public id → upstream id) and, for streaming requests, <c>stream_options.include_usage</c> is turned on. Every other
/// byte — unknown fields, field order, number formatting, whitespace, escapes — passes through unchanged.
/// <see cref="Utf8JsonReader"/> locates the tokens; the new model string is encoded by System.Text.Json.
/// </summary>
public static class RequestBodyRewriter
{
    private static ReadOnlySpan<byte> IncludeUsageProperty => "\"include_usage\":true"u8;

    /// <summary>
    /// Writes <paramref name="json"/> to <paramref name="output"/> with <c>model</c> set to <paramref name="upstreamModel"/>
    /// (unchanged when null) and, when <paramref name="ensureUsageWhenStreaming"/> and the request streams,
    /// <c>stream_options.include_usage</c> set to true. If <c>model</c> appears more than once, the last one (the one
    /// JSON parsers keep) is replaced.
    /// </summary>
    /// <exception cref="JsonException">The body is not a JSON object; validate it first.</exception>
    public static RewriteOutcome Rewrite(ReadOnlySpan<byte> json, string? upstreamModel, bool ensureUsageWhenStreaming, IBufferWriter<byte> output)
    {
        var reader = new Utf8JsonReader(json, RequestJson.ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("The request body is not a JSON object.");

        ByteRange modelValue = default, streamOptionsValue = default, includeUsageValue = default;
        var stream = false;
        var includeUsage = false;
        var streamOptionsIsObject = false;
        var streamOptionsEmpty = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                modelValue = reader.TokenType == JsonTokenType.String ? CurrentToken(ref reader) : default;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("stream"u8))
            {
                reader.Read();
                stream = reader.TokenType == JsonTokenType.True;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("stream_options"u8))
            {
                reader.Read();
                streamOptionsValue = CurrentToken(ref reader);
                streamOptionsIsObject = reader.TokenType == JsonTokenType.StartObject;
                includeUsageValue = default;
                includeUsage = false;
                if (!streamOptionsIsObject)
                {
                    reader.Skip();
                    streamOptionsValue = streamOptionsValue with { End = (int)reader.BytesConsumed };
                    continue;
                }

                streamOptionsEmpty = true;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    streamOptionsEmpty = false;
                    var isIncludeUsage = reader.ValueTextEquals("include_usage"u8);
                    reader.Read();
                    if (isIncludeUsage)
                    {
                        includeUsageValue = CurrentToken(ref reader);
                        includeUsage = reader.TokenType == JsonTokenType.True;
                    }

                    reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        var rootEnd = (int)reader.TokenStartIndex; // the closing '}'
        var addUsage = ensureUsageWhenStreaming && stream && !includeUsage;

        // At most two edits, and "model" may come before or after stream_options: apply them in byte order.
        var modelEdit = upstreamModel is not null && modelValue.IsSet ? modelValue : default;
        ByteRange usageEdit = default;
        var usageKind = UsageEdit.None;
        if (addUsage)
        {
            if (includeUsageValue.IsSet) (usageEdit, usageKind) = (includeUsageValue, UsageEdit.ReplaceValueWithTrue);
            else if (streamOptionsIsObject) (usageEdit, usageKind) = (new ByteRange(streamOptionsValue.Start + 1, streamOptionsValue.Start + 1), streamOptionsEmpty ? UsageEdit.InsertProperty : UsageEdit.InsertPropertyAndComma);
            else if (streamOptionsValue.IsSet) (usageEdit, usageKind) = (streamOptionsValue, UsageEdit.ReplaceValueWithObject);
            else (usageEdit, usageKind) = (new ByteRange(rootEnd, rootEnd), UsageEdit.AppendRootProperty); // "stream":true precedes it, so a comma is needed
        }

        var position = 0;
        if (modelEdit.IsSet && (!usageEdit.IsSet || modelEdit.Start < usageEdit.Start))
        {
            position = CopyUntil(json, position, modelEdit.Start, output);
            WriteModel(upstreamModel!, output);
            position = modelEdit.End;
            modelEdit = default;
        }

        if (usageEdit.IsSet)
        {
            position = CopyUntil(json, position, usageEdit.Start, output);
            WriteUsage(usageKind, output);
            position = usageEdit.End;
        }

        if (modelEdit.IsSet)
        {
            position = CopyUntil(json, position, modelEdit.Start, output);
            WriteModel(upstreamModel!, output);
            position = modelEdit.End;
        }

        CopyUntil(json, position, json.Length, output);
        return new RewriteOutcome(stream, includeUsage, addUsage, upstreamModel is not null && modelValue.IsSet);
    }

    private static ByteRange CurrentToken(ref Utf8JsonReader reader) =>
        new((int)reader.TokenStartIndex, (int)reader.BytesConsumed);

    private static int CopyUntil(ReadOnlySpan<byte> json, int from, int to, IBufferWriter<byte> output)
    {
        Write(output, json[from..to]);
        return to;
    }

    private static void WriteModel(string model, IBufferWriter<byte> output)
    {
        var encoded = JsonEncodedText.Encode(model);
        Write(output, "\""u8);
        Write(output, encoded.EncodedUtf8Bytes);
        Write(output, "\""u8);
    }

    private static void WriteUsage(UsageEdit kind, IBufferWriter<byte> output)
    {
        switch (kind)
        {
            case UsageEdit.ReplaceValueWithTrue:
                Write(output, "true"u8);
                break;
            case UsageEdit.InsertProperty:
                Write(output, IncludeUsageProperty);
                break;
            case UsageEdit.InsertPropertyAndComma:
                Write(output, IncludeUsageProperty);
                Write(output, ","u8);
                break;
            case UsageEdit.ReplaceValueWithObject:
                Write(output, "{"u8);
                Write(output, IncludeUsageProperty);
                Write(output, "}"u8);
                break;
            case UsageEdit.AppendRootProperty:
                Write(output, ",\"stream_options\":{"u8);
                Write(output, IncludeUsageProperty);
                Write(output, "}"u8);
                break;
            default:
                break;
        }
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return;
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private enum UsageEdit
    {
        None,
        ReplaceValueWithTrue,
        InsertProperty,
        InsertPropertyAndComma,
        ReplaceValueWithObject,
        AppendRootProperty,
    }

    private readonly record struct ByteRange(int Start, int End)
    {
        public bool IsSet => End > 0;
    }
}
