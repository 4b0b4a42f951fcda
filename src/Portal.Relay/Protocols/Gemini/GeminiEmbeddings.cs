using System.Buffers;
using System.Text.Json;
using Portal.Core.Features.Catalog;
using Portal.Relay.Forwarding;
using Portal.Relay.Protocols.Canonical;

namespace Portal.Relay.Protocols.Gemini;

/// <summary>
/// OpenAI <c>/v1/embeddings</c> ⇄ Gemini: one string input goes to <c>:embedContent</c>
/// (<c>{"model","content":{"parts":[{"text"}]},"outputDimensionality"}</c>), a list of strings to
/// <c>:batchEmbedContents</c> (<c>{"requests":[…]}</c>, at most <see cref="MaxBatch"/>); <c>dimensions</c> becomes
/// <c>outputDimensionality</c>. Token-id inputs cannot be expressed (Gemini takes text): a 400 naming <c>input</c>.
/// Answers (<c>{"embedding":{"values"}}</c> / <c>{"embeddings":[{"values"}]}</c>) carry no usage in Google's API: the
/// relay counts the input and marks the record Estimated.
/// </summary>
internal sealed class GeminiEmbeddings : IEmbeddingsCodec
{
    /// <summary>Google's limit on the requests of one <c>batchEmbedContents</c> call.</summary>
    public const int MaxBatch = 100;

    public static GeminiEmbeddings Instance { get; } = new();

    public WireFamily Family => WireFamily.Gemini;

    public UpstreamEndpoint EncodeRequest(ReadOnlySpan<byte> openAiBody, string upstreamModel, IBufferWriter<byte> output)
    {
        using var document = WireJson.Parse(openAiBody);
        var root = document.RootElement;
        var input = root.Property("input") ?? throw new TranslationException("`input` is required.", "input");
        var dimensions = root.Int("dimensions");
        var model = upstreamModel.StartsWith("models/", StringComparison.Ordinal) ? upstreamModel : "models/" + upstreamModel;

        if (input.ValueKind == JsonValueKind.String)
        {
            WireJson.Write(output, (model, text: input.GetString()!, dimensions), static (w, s) => WriteRequest(w, s.model, s.text, s.dimensions));
            return UpstreamEndpoint.EmbedContent;
        }

        var texts = new List<string>();
        foreach (var item in input.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
                throw TranslationException.Unsupported("input (token ids)", "Gemini embeddings");
            texts.Add(item.GetString()!);
        }

        if (texts.Count > MaxBatch)
            throw new TranslationException($"`input` has {texts.Count} items; the Gemini channel serving this model embeds at most {MaxBatch} per request.", "input");
        WireJson.Write(output, (model, texts, dimensions), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteStartArray("requests"u8);
            foreach (var text in s.texts) WriteRequest(w, s.model, text, s.dimensions);
            w.WriteEndArray();
            w.WriteEndObject();
        });
        return UpstreamEndpoint.BatchEmbedContents;
    }

    private static void WriteRequest(Utf8JsonWriter w, string model, string text, int? dimensions)
    {
        w.WriteStartObject();
        w.WriteString("model"u8, model);
        w.WriteStartObject("content"u8);
        w.WriteStartArray("parts"u8);
        w.WriteStartObject();
        w.WriteString("text"u8, text);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        if (dimensions is { } n) w.WriteNumber("outputDimensionality"u8, n);
        w.WriteEndObject();
    }

    public EmbeddingsAnswer DecodeResponse(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException e)
        {
            throw new TranslationException($"not JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            var vectors = new List<JsonElement>();
            if (root.Property("embedding") is { } single) vectors.Add(Values(single));
            else if (root.Property("embeddings") is { ValueKind: JsonValueKind.Array } many)
                foreach (var item in many.EnumerateArray()) vectors.Add(Values(item));
            else throw new TranslationException("no `embedding` or `embeddings` in the answer");

            // Google's API reports no usage for embeddings today; a proxy that adds Gemini's usageMetadata is believed.
            var tokens = root.Property("usageMetadata")?.Long("promptTokenCount");
            return new EmbeddingsAnswer(vectors, tokens);
        }

        static JsonElement Values(JsonElement embedding)
        {
            if (embedding.Property("values") is not { ValueKind: JsonValueKind.Array } values || values.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.Number))
                throw new TranslationException("an embedding without numeric `values`");
            return values.Clone();
        }
    }

    public UpstreamError DecodeError(int status, ReadOnlySpan<byte> body) => GeminiChatCodec.Instance.DecodeError(status, body);
}
