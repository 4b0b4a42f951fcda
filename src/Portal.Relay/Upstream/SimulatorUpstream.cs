using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Portal.Relay.Errors;
using Portal.Relay.Streaming;
using Portal.Relay.Tokens;

namespace Portal.Relay.Upstream;

/// <summary>
/// The built-in deterministic upstream (the "Simulator" channel), as pure logic: it turns a request body into the bytes
/// an OpenAI-compatible server would send, plus the delays to send them with. The host's channel adapter awaits the
/// delays on its <see cref="TimeProvider"/> and writes the bytes; nothing here sleeps or does I/O.
/// </summary>
/// <remarks>
/// <para>Replies depend only on the request (model and last user message): the same question gets the same answer, in
/// Chinese when the last user message contains CJK ideographs. Ids and failure draws come from <see cref="SimulatorOptions.Seed"/>
/// and a per-instance call counter, so a run is reproducible given the seed and call order. Usage is counted with
/// <see cref="TokenCounter"/> (prompt by OpenAI's chat recipe, completion as plain text), so a relay that meters the
/// simulator sees exactly the numbers a tokenizer fallback would compute.</para>
/// <para>Only <c>choices[0]</c> is produced (<c>n</c> is ignored); tools are never called. Thread-safe.</para>
/// </remarks>
public sealed class SimulatorUpstream
{
    private readonly SimulatorOptions _options;
    private readonly TimeProvider _time;
    private long _calls;
    private long _failureDraws;

    /// <summary>Creates a simulator; <paramref name="options"/> are validated.</summary>
    public SimulatorUpstream(SimulatorOptions options, TimeProvider time)
    {
        options.Validate();
        _options = options;
        _time = time;
    }

    /// <summary>
    /// Decides whether the next request fails, before any body is produced. Deterministic: the n-th call with a given
    /// seed always decides the same way. Returns the error to answer with, or null to proceed.
    /// </summary>
    public OpenAiErrorResponse? NextFailure()
    {
        if (_options.FailureRate <= 0) return null;
        var draw = Interlocked.Increment(ref _failureDraws);
        var rng = new SplitMixRandom(_options.Seed ^ ((ulong)draw * 0xD1B54A32D192ED03UL));
        var roll = (rng.Next() >> 11) * (1.0 / (1UL << 53));
        if (roll >= _options.FailureRate) return null;
        return _options.FailureStatusCode == 429
            ? new OpenAiErrorResponse(429, new OpenAiError("The simulator channel is rate limited (simulated failure).", "requests", null, "rate_limit_exceeded"))
            : new OpenAiErrorResponse(_options.FailureStatusCode, new OpenAiError("The simulator channel failed this request on purpose (simulated failure).", OpenAiErrors.ServerErrorType, null, null));
    }

    /// <summary>A non-streaming <c>chat.completion</c> for a valid chat request body.</summary>
    /// <exception cref="ArgumentException">The body does not pass <see cref="ChatRequestShape.Validate"/> (the relay validates before forwarding).</exception>
    public SimulatedResponse CreateChatCompletion(ReadOnlySpan<byte> requestJson)
    {
        var reply = Compose(requestJson);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id"u8, reply.Id);
            writer.WriteString("object"u8, "chat.completion"u8);
            writer.WriteNumber("created"u8, reply.Created);
            writer.WriteString("model"u8, reply.Model);
            writer.WriteStartArray("choices"u8);
            writer.WriteStartObject();
            writer.WriteNumber("index"u8, 0);
            writer.WriteStartObject("message"u8);
            writer.WriteString("role"u8, "assistant"u8);
            writer.WriteString("content"u8, reply.Content);
            writer.WriteNull("refusal"u8);
            writer.WriteStartArray("annotations"u8);
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteNull("logprobs"u8);
            writer.WriteString("finish_reason"u8, reply.FinishReason);
            writer.WriteEndObject();
            writer.WriteEndArray();
            WriteUsage(writer, reply.Usage);
            writer.WriteString("service_tier"u8, "default"u8);
            writer.WriteString("system_fingerprint"u8, _options.SystemFingerprint);
            writer.WriteEndObject();
        }

        return new SimulatedResponse(buffer.WrittenSpan.ToArray(), _options.Latency + GenerationTime(reply.Usage.CompletionTokens), reply.Usage);
    }

    /// <summary>
    /// A streamed reply as OpenAI sends it: a role chunk, content chunks, a final chunk with <c>finish_reason</c>, a
    /// usage-only chunk when the request set <c>stream_options.include_usage</c>, then <c>data: [DONE]</c>. The first
    /// event waits <see cref="SimulatorOptions.Latency"/>; each content chunk waits one token's time.
    /// </summary>
    /// <exception cref="ArgumentException">The body does not pass <see cref="ChatRequestShape.Validate"/>.</exception>
    public SimulatedStream CreateChatCompletionChunks(ReadOnlySpan<byte> requestJson)
    {
        var reply = Compose(requestJson);
        var perChunk = GenerationTime(1);
        var chunks = new List<SimulatedChunk>
        {
            new(_options.Latency, Chunk(reply, static (w, _) =>
            {
                w.WriteString("role"u8, "assistant"u8);
                w.WriteString("content"u8, ""u8);
                w.WriteNull("refusal"u8);
            }, null, finishReason: null)),
        };

        foreach (var piece in SplitForStreaming(reply.Content))
        {
            chunks.Add(new(perChunk, Chunk(reply, static (w, text) => w.WriteString("content"u8, text), piece, finishReason: null)));
        }

        chunks.Add(new(TimeSpan.Zero, Chunk(reply, static (_, _) => { }, null, reply.FinishReason)));
        if (reply.IncludeUsage) chunks.Add(new(TimeSpan.Zero, UsageChunk(reply)));
        chunks.Add(new(TimeSpan.Zero, SseWriter.DoneEvent.ToArray()));
        return new SimulatedStream(chunks, reply.Usage);
    }

    /// <summary>The largest <c>dimensions</c> the simulator serves (OpenAI's text-embedding-3-large maximum).</summary>
    public const int MaxEmbeddingDimensions = 3072;

    /// <summary>
    /// The 400 an embeddings model answers for a <c>dimensions</c> it cannot produce (above
    /// <see cref="MaxEmbeddingDimensions"/>), or null when the request can be served.
    /// </summary>
    public static OpenAiErrorResponse? RefuseEmbeddings(ReadOnlySpan<byte> requestJson)
    {
        var dimensions = RequestedDimensions(requestJson);
        return dimensions is > MaxEmbeddingDimensions
            ? OpenAiErrors.InvalidRequest($"This model does not support more than {MaxEmbeddingDimensions} dimensions, but {dimensions} were requested.", "dimensions", "invalid_value")
            : null;
    }

    /// <summary>
    /// Embeddings for a valid <c>/v1/embeddings</c> body: one unit-length vector per input, derived only from the
    /// input's bytes (identical inputs get identical vectors), of the request's <c>dimensions</c> or
    /// <see cref="SimulatorOptions.EmbeddingDimensions"/>; <c>encoding_format: "base64"</c> (the openai SDKs' default)
    /// gives little-endian float32 in base64.
    /// </summary>
    /// <exception cref="ArgumentException">The body does not pass <see cref="EmbeddingsRequestShape.Validate"/>.</exception>
    public SimulatedResponse CreateEmbeddings(ReadOnlySpan<byte> requestJson)
    {
        var shape = EmbeddingsRequestShape.Validate(requestJson);
        if (!shape.IsSuccess) throw new ArgumentException(shape.Error.Message, nameof(requestJson));

        using var document = JsonDocument.Parse(requestJson.ToArray(), RequestJson.DocumentOptions);
        var root = document.RootElement;
        var dimensions = Math.Min(MaxEmbeddingDimensions, RequestedDimensions(requestJson) ?? _options.EmbeddingDimensions);
        var base64 = root.TryGetProperty("encoding_format", out var f) && f.ValueKind == JsonValueKind.String && f.ValueEquals("base64");
        var model = shape.Value.Model;
        var tokens = TokenCounter.Shared.CountEmbeddingsInput(requestJson, TokenEncodings.ForModel(model));

        var inputs = new List<byte[]>();
        var input = root.GetProperty("input");
        if (input.ValueKind == JsonValueKind.String || (input.ValueKind == JsonValueKind.Array && input.GetArrayLength() > 0 && input[0].ValueKind == JsonValueKind.Number))
        {
            inputs.Add(Encoding.UTF8.GetBytes(input.GetRawText()));
        }
        else
        {
            foreach (var item in input.EnumerateArray()) inputs.Add(Encoding.UTF8.GetBytes(item.GetRawText()));
        }

        var buffer = new ArrayBufferWriter<byte>(1024 + (inputs.Count * dimensions * 12));
        var vector = new float[dimensions];
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("object"u8, "list"u8);
            writer.WriteStartArray("data"u8);
            for (var i = 0; i < inputs.Count; i++)
            {
                FillVector(inputs[i], vector);
                writer.WriteStartObject();
                writer.WriteString("object"u8, "embedding"u8);
                writer.WriteNumber("index"u8, i);
                if (base64)
                {
                    var bytes = new byte[dimensions * sizeof(float)];
                    for (var j = 0; j < dimensions; j++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(j * sizeof(float)), vector[j]);
                    writer.WriteBase64String("embedding"u8, bytes);
                }
                else
                {
                    writer.WriteStartArray("embedding"u8);
                    foreach (var value in vector) writer.WriteNumberValue(value);
                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteString("model"u8, model);
            writer.WriteStartObject("usage"u8);
            writer.WriteNumber("prompt_tokens"u8, tokens);
            writer.WriteNumber("total_tokens"u8, tokens);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return new SimulatedResponse(buffer.WrittenSpan.ToArray(), _options.Latency, new TokenUsage(tokens, 0, 0, IsEstimated: false));
    }

    /// <summary>
    /// Gemini's <c>:embedContent</c> / <c>:batchEmbedContents</c> answer for a Gemini request body: one unit vector per
    /// content (from its text, deterministic) of <c>outputDimensionality</c> or <see cref="SimulatorOptions.EmbeddingDimensions"/>
    /// (at most <see cref="MaxEmbeddingDimensions"/>), without usage as Google's API has none; null when the body is not
    /// a Gemini embeddings request.
    /// </summary>
    public byte[]? CreateGeminiEmbeddings(ReadOnlySpan<byte> requestJson, bool batch)
    {
        try
        {
            using var document = JsonDocument.Parse(requestJson.ToArray(), RequestJson.DocumentOptions);
            var root = document.RootElement;
            var requests = new List<JsonElement>();
            if (!batch) requests.Add(root);
            else if (root.TryGetProperty("requests", out var many) && many.ValueKind == JsonValueKind.Array) requests.AddRange(many.EnumerateArray());
            else return null;

            var buffer = new ArrayBufferWriter<byte>(1024);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                if (batch) writer.WriteStartArray("embeddings"u8);
                foreach (var request in requests)
                {
                    if (!request.TryGetProperty("content", out var content) || !content.TryGetProperty("parts", out var parts) || parts.ValueKind != JsonValueKind.Array) return null;
                    var text = string.Concat(parts.EnumerateArray().Select(p => p.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : ""));
                    var dimensions = request.TryGetProperty("outputDimensionality", out var d) && d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out var n) && n > 0
                        ? Math.Min(n, MaxEmbeddingDimensions)
                        : _options.EmbeddingDimensions;
                    var vector = new float[dimensions];
                    FillVector(Encoding.UTF8.GetBytes(text), vector);
                    if (batch) writer.WriteStartObject();
                    else writer.WriteStartObject("embedding"u8);
                    writer.WriteStartArray("values"u8);
                    foreach (var value in vector) writer.WriteNumberValue(value);
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                if (batch) writer.WriteEndArray();
                writer.WriteEndObject();
            }

            return buffer.WrittenSpan.ToArray();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static int? RequestedDimensions(ReadOnlySpan<byte> requestJson)
    {
        var reader = new Utf8JsonReader(requestJson, RequestJson.ReaderOptions);
        int? dimensions = null;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isDimensions = reader.ValueTextEquals("dimensions"u8);
            reader.Read();
            if (isDimensions && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var requested) && requested > 0) dimensions = requested;
            else reader.Skip();
        }

        return dimensions;
    }

    private Reply Compose(ReadOnlySpan<byte> requestJson)
    {
        var shape = ChatRequestShape.Validate(requestJson);
        if (!shape.IsSuccess) throw new ArgumentException(shape.Error.Message, nameof(requestJson));

        var model = shape.Value.Model;
        var encoding = TokenEncodings.ForModel(model);
        var question = LastUserText(requestJson);
        var (text, truncated) = ComposeText(model, question, shape.Value.MaxOutputTokens);
        var finishReason = truncated ? "length" : "stop";
        var usage = new TokenUsage(
            TokenCounter.Shared.CountChatPrompt(requestJson, encoding),
            0,
            TokenCounter.Shared.CountText(text, encoding),
            IsEstimated: false);
        return new Reply(
            NextId("chatcmpl-", 29),
            _time.GetUtcNow().ToUnixTimeSeconds(),
            model,
            text,
            finishReason,
            shape.Value.IncludeUsage,
            usage);
    }

    /// <summary>The reply text for <paramref name="question"/> to <paramref name="model"/>: deterministic; cut to <paramref name="maxTokens"/> (then truncated is true).</summary>
    internal (string Text, bool Truncated) ComposeText(string model, string question, int? maxTokens)
    {
        var encoding = TokenEncodings.ForModel(model);
        var chinese = SimulatorText.ContainsCjk(question);

        // The answer depends on the model and the question only; ids depend on the seed and the call number.
        var rng = new SplitMixRandom(Fnv1a(Encoding.UTF8.GetBytes(model + "\n" + question)));
        var target = _options.MinReplyTokens + (int)(rng.Next() % (ulong)(_options.MaxReplyTokens - _options.MinReplyTokens + 1));
        var sentences = chinese ? SimulatorText.Chinese : SimulatorText.English;
        var content = new StringBuilder(chinese ? SimulatorText.ChineseOpening : SimulatorText.EnglishOpening);
        while (TokenCounter.Shared.CountText(content.ToString(), encoding) < target)
            content.Append(sentences[(int)(rng.Next() % (ulong)sentences.Length)]);

        var text = content.ToString();
        if (maxTokens is { } max && TokenCounter.Shared.CountText(text, encoding) > max)
        {
            var cut = TokenCounter.TokenizerFor(encoding).GetIndexByTokenCount(text, max, out _, out _);
            return (text[..cut], true);
        }

        return (text, false);
    }

    /// <summary>A fresh id: <paramref name="prefix"/> + base62 characters drawn from the seed and the call number (deterministic per channel).</summary>
    internal string NextId(string prefix, int length)
    {
        var call = (ulong)Interlocked.Increment(ref _calls);
        return prefix + new SplitMixRandom(_options.Seed ^ (call * 0xD1B54A32D192ED03UL)).NextBase62(length);
    }

    internal TimeSpan Latency => _options.Latency;

    internal long UnixNow => _time.GetUtcNow().ToUnixTimeSeconds();

    private byte[] Chunk(Reply reply, Action<Utf8JsonWriter, string?> writeDelta, string? piece, string? finishReason)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteChunkHeader(writer, reply);
            writer.WriteStartArray("choices"u8);
            writer.WriteStartObject();
            writer.WriteNumber("index"u8, 0);
            writer.WriteStartObject("delta"u8);
            writeDelta(writer, piece);
            writer.WriteEndObject();
            writer.WriteNull("logprobs"u8);
            if (finishReason is null) writer.WriteNull("finish_reason"u8);
            else writer.WriteString("finish_reason"u8, finishReason);
            writer.WriteEndObject();
            writer.WriteEndArray();
            if (reply.IncludeUsage) writer.WriteNull("usage"u8);
            writer.WriteEndObject();
        }

        return ToEvent(buffer.WrittenSpan);
    }

    private byte[] UsageChunk(Reply reply)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteChunkHeader(writer, reply);
            writer.WriteStartArray("choices"u8);
            writer.WriteEndArray();
            WriteUsage(writer, reply.Usage);
            writer.WriteEndObject();
        }

        return ToEvent(buffer.WrittenSpan);
    }

    private void WriteChunkHeader(Utf8JsonWriter writer, Reply reply)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, reply.Id);
        writer.WriteString("object"u8, "chat.completion.chunk"u8);
        writer.WriteNumber("created"u8, reply.Created);
        writer.WriteString("model"u8, reply.Model);
        writer.WriteString("service_tier"u8, "default"u8);
        writer.WriteString("system_fingerprint"u8, _options.SystemFingerprint);
    }

    private static void WriteUsage(Utf8JsonWriter writer, TokenUsage usage)
    {
        writer.WriteStartObject("usage"u8);
        writer.WriteNumber("prompt_tokens"u8, usage.PromptTokens);
        writer.WriteNumber("completion_tokens"u8, usage.CompletionTokens);
        writer.WriteNumber("total_tokens"u8, usage.TotalTokens);
        writer.WriteStartObject("prompt_tokens_details"u8);
        writer.WriteNumber("cached_tokens"u8, usage.CachedPromptTokens);
        writer.WriteNumber("audio_tokens"u8, 0);
        writer.WriteEndObject();
        writer.WriteStartObject("completion_tokens_details"u8);
        writer.WriteNumber("reasoning_tokens"u8, 0);
        writer.WriteNumber("audio_tokens"u8, 0);
        writer.WriteNumber("accepted_prediction_tokens"u8, 0);
        writer.WriteNumber("rejected_prediction_tokens"u8, 0);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static byte[] ToEvent(ReadOnlySpan<byte> json)
    {
        var buffer = new ArrayBufferWriter<byte>(json.Length + 8);
        SseWriter.WriteData(buffer, json);
        return buffer.WrittenSpan.ToArray();
    }

    internal TimeSpan GenerationTime(long tokens) =>
        _options.TokensPerSecond == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(tokens * TimeSpan.TicksPerSecond / _options.TokensPerSecond);

    /// <summary>Streaming pieces: a word with its leading space for Latin text, two characters at a time for CJK.</summary>
    internal static IEnumerable<string> SplitForStreaming(string text)
    {
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            var end = i == text.Length;
            var boundary = end
                || (text[i] == ' ' && text[i - 1] != ' ')
                || (SimulatorText.ContainsCjk(text.AsSpan(i - 1, 1)) && i - start >= 2 && !char.IsLowSurrogate(text[i]));
            if (!boundary) continue;
            if (i > start) yield return text[start..i];
            start = i;
        }
    }

    private static string LastUserText(ReadOnlySpan<byte> requestJson)
    {
        var reader = new Utf8JsonReader(requestJson, RequestJson.ReaderOptions);
        reader.Read();
        var last = "";
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMessages = reader.ValueTextEquals("messages"u8);
            reader.Read();
            if (!isMessages)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                var isUser = false;
                var text = new StringBuilder();
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("role"u8))
                    {
                        reader.Read();
                        isUser = reader.ValueTextEquals("user"u8);
                    }
                    else if (reader.ValueTextEquals("content"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.String) text.Append(reader.GetString());
                        else if (reader.TokenType == JsonTokenType.StartArray) AppendTextParts(ref reader, text);
                        else reader.Skip();
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                if (isUser) last = text.ToString();
            }
        }

        return last;
    }

    private static void AppendTextParts(ref Utf8JsonReader reader, StringBuilder text)
    {
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == depth))
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String) text.Append(reader.GetString()).Append('\n');
            }
        }
    }

    internal static void FillVector(ReadOnlySpan<byte> input, float[] vector)
    {
        var rng = new SplitMixRandom(Fnv1a(input) ^ (ulong)vector.Length);
        double norm = 0;
        for (var i = 0; i < vector.Length; i++)
        {
            // Uniform in [-1, 1); normalised below, as real embedding models return unit vectors.
            var value = ((rng.Next() >> 11) * (2.0 / (1UL << 53))) - 1.0;
            vector[i] = (float)value;
            norm += value * value;
        }

        var scale = norm == 0 ? 0 : 1 / Math.Sqrt(norm);
        for (var i = 0; i < vector.Length; i++) vector[i] = (float)(vector[i] * scale);
    }

    private static ulong Fnv1a(ReadOnlySpan<byte> bytes)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in bytes) hash = (hash ^ b) * 1099511628211UL;
        return hash;
    }

    private sealed record Reply(string Id, long Created, string Model, string Content, string FinishReason, bool IncludeUsage, TokenUsage Usage);

    private struct SplitMixRandom(ulong state)
    {
        private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        private ulong _state = state;

        public ulong Next()
        {
            _state += 0x9E3779B97F4A7C15UL;
            var z = _state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public string NextBase62(int length)
        {
            Span<char> chars = stackalloc char[length];
            for (var i = 0; i < length; i++) chars[i] = Base62[(int)(Next() % 62)];
            return new string(chars);
        }
    }
}
