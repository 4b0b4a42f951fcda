using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Portal.Relay.Streaming;

namespace Portal.Relay.Protocols.Canonical;

/// <summary>JSON helpers the codecs share: tolerant reads of <see cref="JsonElement"/>s and pooled writers.</summary>
public static class WireJson
{
    /// <summary>Writer options: compact, and non-ASCII text (Chinese) written as UTF-8 rather than <c>\uXXXX</c>.</summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    [ThreadStatic]
    private static Utf8JsonWriter? _cachedWriter;

    /// <summary>Runs <paramref name="write"/> against a thread-cached <see cref="Utf8JsonWriter"/> reset onto <paramref name="output"/>.</summary>
    public static void Write<TState>(IBufferWriter<byte> output, TState state, Action<Utf8JsonWriter, TState> write)
    {
        var writer = _cachedWriter ??= new Utf8JsonWriter(output, WriterOptions);
        writer.Reset(output);
        try
        {
            write(writer, state);
            writer.Flush();
        }
        finally
        {
            writer.Reset(Stream.Null);
        }
    }

    /// <summary>Writes one SSE event (optional <c>event:</c> line) whose data is the JSON <paramref name="write"/> produces.</summary>
    public static void WriteEvent<TState>(IBufferWriter<byte> output, ReadOnlySpan<byte> eventName, TState state, Action<Utf8JsonWriter, TState> write)
    {
        if (!eventName.IsEmpty)
        {
            Append(output, "event: "u8);
            Append(output, eventName);
            Append(output, "\n"u8);
        }

        Append(output, "data: "u8);
        Write(output, state, write);
        Append(output, "\n\n"u8);
    }

    public static void Append(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    /// <summary>Parses a request body, turning malformed JSON into a <see cref="TranslationException"/>.</summary>
    public static JsonDocument Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 128 });
            return JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new TranslationException($"The request body is not valid JSON: {e.Message}");
        }
    }

    public static string? String(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static JsonElement? Property(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static long? Long(this JsonElement element, string name) =>
        element.Property(name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var number) ? number : null;

    public static int? Int(this JsonElement element, string name, string? param = null)
    {
        if (element.Property(name) is not { } value) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)) return number;
        throw new TranslationException($"`{param ?? name}` must be an integer.", param ?? name);
    }

    public static double? Double(this JsonElement element, string name, string? param = null)
    {
        if (element.Property(name) is not { } value) return null;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number)) return number;
        throw new TranslationException($"`{param ?? name}` must be a number.", param ?? name);
    }

    public static bool? Bool(this JsonElement element, string name) =>
        element.Property(name) is { } value && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    /// <summary>An array property's elements, empty when absent; a present non-array is a <see cref="TranslationException"/>.</summary>
    public static JsonElement.ArrayEnumerator Array(this JsonElement element, string name, string? param = null)
    {
        if (element.Property(name) is not { } value) return default;
        if (value.ValueKind != JsonValueKind.Array) throw new TranslationException($"`{param ?? name}` must be an array.", param ?? name);
        return value.EnumerateArray();
    }

    /// <summary>The raw JSON text of a property (for schemas and arguments that pass through untouched), or <paramref name="fallback"/>.</summary>
    public static string RawOr(this JsonElement element, string name, string fallback) =>
        element.Property(name) is { } value ? value.GetRawText() : fallback;

    /// <summary>Writes <paramref name="json"/> as a raw JSON value, or <paramref name="fallback"/> when it is not valid JSON.</summary>
    public static void WriteRawOr(this Utf8JsonWriter writer, string json, string fallback)
    {
        try
        {
            writer.WriteRawValue(string.IsNullOrWhiteSpace(json) ? fallback : json);
        }
        catch (JsonException)
        {
            writer.WriteRawValue(fallback);
        }
    }

    /// <summary>Reads the payload of an SSE event as JSON; null when it is not a JSON object.</summary>
    public static JsonDocument? ParseEvent(in SseEvent sseEvent)
    {
        if (!sseEvent.HasData || sseEvent.Data.IsEmpty) return null;
        try
        {
            var document = JsonDocument.Parse(sseEvent.Data);
            if (document.RootElement.ValueKind == JsonValueKind.Object) return document;
            document.Dispose();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
