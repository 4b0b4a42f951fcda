using System.Buffers;
using System.Text.Json;
using Portal.Core.Features.Catalog;
using Portal.Relay.Protocols.Canonical;
using Portal.Relay.Streaming;
using Portal.Relay.Tokens;

namespace Portal.Relay.Protocols.Gemini;

/// <summary>
/// Google Gemini ⇄ canonical: <c>systemInstruction</c> and <c>contents</c> (roles <c>user</c> / <c>model</c>, parts text,
/// <c>inlineData</c> / <c>fileData</c> images, <c>functionCall</c>, <c>functionResponse</c>), <c>tools.functionDeclarations</c>
/// with standard JSON Schema (<c>parametersJsonSchema</c>), <c>toolConfig</c>, <c>generationConfig</c> (tokens, sampling,
/// stops, JSON mode with <c>responseJsonSchema</c>, thinking budget), finish reasons, <c>usageMetadata</c> (cached and
/// thinking tokens) and Google's error body. Gemini never streams function-call arguments: a call arrives whole in one
/// chunk and is decoded as a start plus one arguments delta.
/// </summary>
internal sealed class GeminiChatCodec : IChatCodec
{
    public static GeminiChatCodec Instance { get; } = new();

    public WireFamily Family => WireFamily.Gemini;

    public string ApiName => "Google Gemini";

    // ---- requests ----

    public ChatRequest DecodeRequest(ReadOnlySpan<byte> json)
    {
        GeminiRequest? wire;
        try
        {
            wire = JsonSerializer.Deserialize(json, GeminiJsonContext.Default.GeminiRequest);
        }
        catch (JsonException e)
        {
            throw new TranslationException($"The request body is not a Gemini request: {e.Message}");
        }

        if (wire is null) throw new TranslationException("The request body is not a Gemini request.");
        var request = new ChatRequest { Model = "" };
        foreach (var part in wire.SystemInstruction?.Parts ?? []) if (part.Text is { } text) request.System.Add(new TextPart(text));
        var names = new Dictionary<string, string>();
        foreach (var content in wire.Contents)
        {
            var parts = new List<ChatPart>();
            var results = new List<ChatPart>();
            foreach (var part in content.Parts)
            {
                if (part.Thought == true) continue;
                if (part.Text is { } text) parts.Add(new TextPart(text));
                else if (part.InlineData is { } blob) parts.Add(new ImagePart(null, blob.MimeType, blob.Data));
                else if (part.FileData is { } file) parts.Add(new ImagePart(file.FileUri, file.MimeType, null));
                else if (part.FunctionCall is { } call) parts.Add(new ToolCallPart(call.Id ?? call.Name, call.Name, call.Args?.GetRawText() ?? "{}"));
                else if (part.FunctionResponse is { } response)
                    results.Add(new ToolResultPart(response.Id ?? response.Name, [new TextPart(response.Response.GetRawText())]));
            }

            if (results.Count > 0) request.Messages.Add(new ChatMessage(ChatRole.Tool, results));
            if (parts.Count > 0) request.Messages.Add(new ChatMessage(content.Role == "model" ? ChatRole.Assistant : ChatRole.User, parts));
        }

        foreach (var declaration in wire.Tools?.SelectMany(t => t.FunctionDeclarations ?? []) ?? [])
            request.Tools.Add(new ChatTool(declaration.Name, declaration.Description, declaration.ParametersJsonSchema?.GetRawText() ?? """{"type":"object"}"""));
        if (wire.ToolConfig?.FunctionCallingConfig is { } calling)
        {
            request.ToolChoice = calling.Mode switch
            {
                "NONE" => new ToolChoice(ToolChoiceKind.None),
                "ANY" when calling.AllowedFunctionNames is [var only] => new ToolChoice(ToolChoiceKind.Function, only),
                "ANY" => new ToolChoice(ToolChoiceKind.Required),
                _ => new ToolChoice(ToolChoiceKind.Auto),
            };
        }

        if (wire.GenerationConfig is { } config)
        {
            request.MaxOutputTokens = config.MaxOutputTokens;
            request.Temperature = config.Temperature;
            request.TopP = config.TopP;
            request.TopK = config.TopK;
            request.Stop.AddRange(config.StopSequences ?? []);
            if (config.ResponseMimeType == "application/json")
                request.ResponseFormat = config.ResponseJsonSchema is { } schema ? new ResponseFormat(ResponseFormatKind.JsonSchema, "response", schema.GetRawText()) : new ResponseFormat(ResponseFormatKind.JsonObject);
        }

        return request;
    }

    public void EncodeRequest(ChatRequest request, string upstreamModel, IBufferWriter<byte> output)
    {
        if (request.Untranslatable.Count > 0) throw TranslationException.Unsupported(request.Untranslatable[0], ApiName);
        var wire = new GeminiRequest();
        if (request.System.Count > 0) wire.SystemInstruction = new GeminiContent { Parts = request.System.Select(s => new GeminiPart { Text = s.Text }).ToList() };

        // Gemini names a function response by the function's name: find it from the call it answers.
        var callNames = request.Messages.SelectMany(m => m.Parts).OfType<ToolCallPart>().GroupBy(c => c.Id).ToDictionary(g => g.Key, g => g.First().Name);
        foreach (var message in request.Messages)
        {
            var role = message.Role == ChatRole.Assistant ? "model" : "user";
            var parts = new List<GeminiPart>();
            foreach (var part in message.Parts)
            {
                switch (part)
                {
                    case TextPart text:
                        parts.Add(new GeminiPart { Text = text.Text });
                        break;
                    case ImagePart image:
                        parts.Add(Image(image));
                        break;
                    case ToolCallPart call:
                        parts.Add(new GeminiPart { FunctionCall = new GeminiFunctionCall { Name = call.Name, Args = ArgumentsObject(call.ArgumentsJson) } });
                        break;
                    case ToolResultPart result:
                        if (!callNames.TryGetValue(result.ToolCallId, out var name))
                            throw new TranslationException($"The tool result for `{result.ToolCallId}` answers no tool call in the conversation; Gemini needs the function's name.", "messages");
                        var resultText = string.Concat(result.Content.OfType<TextPart>().Select(t => t.Text));
                        parts.Add(new GeminiPart { FunctionResponse = new GeminiFunctionResponse { Name = name, Response = ResultObject(resultText, result.IsError) } });
                        foreach (var image in result.Content.OfType<ImagePart>()) parts.Add(Image(image));
                        break;

                    // Reasoning parts are another family's thinking: they do not change the answer and Gemini cannot take them.
                }
            }

            if (parts.Count == 0) continue;
            if (wire.Contents.Count > 0 && wire.Contents[^1].Role == role) wire.Contents[^1].Parts.AddRange(parts);
            else wire.Contents.Add(new GeminiContent { Role = role, Parts = parts });
        }

        if (request.Tools.Count > 0)
        {
            wire.Tools =
            [
                new GeminiTool
                {
                    FunctionDeclarations = request.Tools.Select(t => new GeminiFunctionDeclaration
                    {
                        Name = t.Name,
                        Description = t.Description,
                        ParametersJsonSchema = ParseObject(t.ParametersJson, "tools"),
                    }).ToList(),
                },
            ];
        }

        if (request.ToolChoice is { } choice)
        {
            wire.ToolConfig = new GeminiToolConfig
            {
                FunctionCallingConfig = choice.Kind switch
                {
                    ToolChoiceKind.None => new GeminiFunctionCallingConfig { Mode = "NONE" },
                    ToolChoiceKind.Required => new GeminiFunctionCallingConfig { Mode = "ANY" },
                    ToolChoiceKind.Function => new GeminiFunctionCallingConfig { Mode = "ANY", AllowedFunctionNames = [choice.Name!] },
                    _ => new GeminiFunctionCallingConfig { Mode = "AUTO" },
                },
            };
        }

        var generation = new GeminiGenerationConfig
        {
            MaxOutputTokens = request.MaxOutputTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            TopK = request.TopK,
            StopSequences = request.Stop.Count > 0 ? [.. request.Stop] : null,
            ThinkingConfig = request.ThinkingBudgetTokens is { } budget ? new GeminiThinkingConfig { ThinkingBudget = budget } : null,
        };
        if (request.ResponseFormat is { Kind: not ResponseFormatKind.Text } format)
        {
            generation.ResponseMimeType = "application/json";
            if (format.Kind == ResponseFormatKind.JsonSchema && format.SchemaJson is { } schema) generation.ResponseJsonSchema = ParseObject(schema, "response_format");
        }

        if (generation.MaxOutputTokens is not null || generation.Temperature is not null || generation.TopP is not null || generation.TopK is not null
            || generation.StopSequences is not null || generation.ResponseMimeType is not null || generation.ThinkingConfig is not null)
            wire.GenerationConfig = generation;

        var bytes = JsonSerializer.SerializeToUtf8Bytes(wire, GeminiJsonContext.Default.GeminiRequest);
        output.Write(bytes);
    }

    private static GeminiPart Image(ImagePart image) => image.Base64Data is { } data
        ? new GeminiPart { InlineData = new GeminiBlob { MimeType = image.MediaType ?? "image/png", Data = data } }
        : new GeminiPart { FileData = new GeminiFileData { FileUri = image.Url!, MimeType = image.MediaType ?? GuessMediaType(image.Url!) } };

    private static string GuessMediaType(string url)
    {
        var path = url.Split('?', '#')[0];
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".gif" => "image/gif",
            ".webp" => "image/webp",
            ".heic" => "image/heic",
            _ => "image/jpeg",
        };
    }

    /// <summary>Tool-call arguments as the object Gemini wants; text that is not a JSON object is refused.</summary>
    private static JsonElement ArgumentsObject(string json)
    {
        var parsed = ParseObject(string.IsNullOrWhiteSpace(json) ? "{}" : json, "tool_calls");
        return parsed;
    }

    /// <summary>A tool result as Gemini's <c>response</c> object: a JSON object as is, anything else under <c>content</c> (or <c>error</c>).</summary>
    private static JsonElement ResultObject(string text, bool isError)
    {
        if (!isError)
        {
            try
            {
                using var parsed = JsonDocument.Parse(text);
                if (parsed.RootElement.ValueKind == JsonValueKind.Object) return parsed.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Plain text: wrapped below.
            }
        }

        var buffer = new ArrayBufferWriter<byte>(text.Length + 16);
        using (var writer = new Utf8JsonWriter(buffer, WireJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString(isError ? "error" : "content", text);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static JsonElement ParseObject(string json, string param)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind == JsonValueKind.Object) return document.RootElement.Clone();
        }
        catch (JsonException)
        {
        }

        throw new TranslationException($"`{param}` must hold a JSON object for Gemini.", param);
    }

    // ---- whole answers ----

    public ChatResponse DecodeResponse(ReadOnlySpan<byte> json)
    {
        var reader = new GeminiAnswerReader("call_");
        var signals = reader.Read(json) ?? throw new TranslationException("The upstream's answer is not a Gemini answer.");
        GeminiResponse? wire = JsonSerializer.Deserialize(json, GeminiJsonContext.Default.GeminiResponse);
        var response = new ChatResponse { Id = wire?.ResponseId ?? "gemini", Model = wire?.ModelVersion ?? "", Created = 0 };
        var text = new System.Text.StringBuilder();
        foreach (var signal in signals)
        {
            switch (signal)
            {
                case GeminiTextSignal t:
                    text.Append(t.Text);
                    break;
                case GeminiCallSignal call:
                    if (text.Length > 0) response.Content.Add(new TextPart(text.ToString()));
                    text.Clear();
                    response.Content.Add(new ToolCallPart(call.Id, call.Name, call.ArgumentsJson));
                    break;
                case GeminiFinishSignal finish:
                    response.FinishReason = Finish(finish.FinishReason, wire?.Candidates?.FirstOrDefault()?.FinishReason);
                    break;
            }
        }

        if (text.Length > 0) response.Content.Add(new TextPart(text.ToString()));
        response.Usage = reader.Usage;
        return response;
    }

    public void EncodeResponse(ChatResponse response, string publicModel, IBufferWriter<byte> output)
    {
        var parts = new List<GeminiPart>();
        foreach (var part in response.Content)
        {
            if (part is TextPart text) parts.Add(new GeminiPart { Text = text.Text });
            else if (part is ToolCallPart call) parts.Add(new GeminiPart { FunctionCall = new GeminiFunctionCall { Name = call.Name, Args = ParseObject(call.ArgumentsJson, "arguments") } });
        }

        output.Write(JsonSerializer.SerializeToUtf8Bytes(Answer(publicModel, response.Id, parts, FinishName(response.FinishReason), response.Usage), GeminiJsonContext.Default.GeminiResponse));
    }

    private static GeminiResponse Answer(string model, string id, List<GeminiPart> parts, string? finish, TokenUsage? usage) => new()
    {
        Candidates = [new GeminiCandidate { Content = new GeminiContent { Role = "model", Parts = parts }, FinishReason = finish, Index = 0 }],
        UsageMetadata = usage is { } u
            ? new GeminiUsage { PromptTokenCount = u.PromptTokens, CachedContentTokenCount = u.CachedPromptTokens, CandidatesTokenCount = u.CompletionTokens, TotalTokenCount = u.TotalTokens }
            : null,
        ModelVersion = model,
        ResponseId = id,
    };

    /// <summary>Gemini's finish reason in canonical terms (MALFORMED_FUNCTION_CALL and OTHER are the model giving up).</summary>
    private static FinishReason Finish(string mapped, string? gemini) => gemini switch
    {
        "MALFORMED_FUNCTION_CALL" or "OTHER" or "UNEXPECTED_TOOL_CALL" => FinishReason.Error,
        _ => mapped switch
        {
            "length" => FinishReason.Length,
            "content_filter" => FinishReason.ContentFilter,
            "tool_calls" => FinishReason.ToolCalls,
            _ => FinishReason.Stop,
        },
    };

    private static string FinishName(FinishReason reason) => reason switch
    {
        FinishReason.Length => "MAX_TOKENS",
        FinishReason.ContentFilter => "SAFETY",
        FinishReason.Error => "OTHER",
        _ => "STOP",
    };

    // ---- errors ----

    public UpstreamError DecodeError(int status, ReadOnlySpan<byte> body) =>
        GeminiMapping.ReadError(body) is { } error
            ? new UpstreamError(status, $"Gemini: {error.Message}", error.Status)
            : new UpstreamError(status, $"The upstream answered HTTP {status}.");

    public byte[] EncodeError(UpstreamError error) => JsonSerializer.SerializeToUtf8Bytes(
        new GeminiErrorBody { Error = new GeminiError { Code = error.Status, Message = error.Message, Status = StatusWord(error.Status) } },
        GeminiJsonContext.Default.GeminiErrorBody);

    private static string StatusWord(int status) => status switch
    {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        429 => "RESOURCE_EXHAUSTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => "INTERNAL",
    };

    // ---- streams ----

    public IStreamDecoder CreateStreamDecoder() => new StreamDecoder();

    public IStreamEncoder CreateStreamEncoder(StreamEncoding options) => new StreamEncoder(options);

    /// <summary>Gemini chunks → canonical events; the chunk with <c>finishReason</c> ends the stream (Gemini has no end marker).</summary>
    private sealed class StreamDecoder : IStreamDecoder
    {
        private readonly GeminiAnswerReader _reader = new("call_");
        private bool _started;

        public void Decode(in SseEvent sseEvent, List<StreamEvent> output)
        {
            if (!sseEvent.HasData) return;
            var data = sseEvent.Data.Span;
            if (GeminiMapping.ReadError(data) is { } error)
            {
                output.Add(new StreamFailed(500, error.Status ?? "INTERNAL", "Gemini: " + error.Message));
                return;
            }

            var signals = _reader.Read(data);
            if (signals is null) return;
            if (!_started)
            {
                _started = true;
                GeminiResponse? head = null;
                try
                {
                    head = JsonSerializer.Deserialize(data, GeminiJsonContext.Default.GeminiResponse);
                }
                catch (JsonException)
                {
                }

                output.Add(new MessageStarted(head?.ResponseId ?? "gemini", head?.ModelVersion ?? "", null));
            }

            foreach (var signal in signals)
            {
                switch (signal)
                {
                    case GeminiTextSignal text:
                        output.Add(new TextDelta(text.Text));
                        break;
                    case GeminiCallSignal call:
                        output.Add(new ToolCallStarted(call.Index, call.Id, call.Name));
                        output.Add(new ToolCallArgumentsDelta(call.Index, call.ArgumentsJson));
                        break;
                    case GeminiFinishSignal finish:
                        output.Add(new MessageFinished(Finish(finish.FinishReason, null)));
                        break;
                }
            }

            if (_reader.Usage is { } usage) output.Add(new UsageReported(usage));
            if (_reader.Finished) output.Add(StreamCompleted.Instance);
        }
    }

    /// <summary>Canonical events → Gemini chunks (the simulator's Gemini wire): text as it comes, a call once its arguments are whole.</summary>
    private sealed class StreamEncoder(StreamEncoding options) : IStreamEncoder
    {
        private readonly Dictionary<int, (string Name, System.Text.StringBuilder Arguments)> _calls = [];
        private string _id = "gemini";
        private FinishReason _finish = FinishReason.Stop;
        private TokenUsage? _usage;
        private bool _done;

        public void Encode(StreamEvent streamEvent, IBufferWriter<byte> output)
        {
            switch (streamEvent)
            {
                case MessageStarted started:
                    _id = started.Id;
                    break;
                case TextDelta text:
                    Chunk(output, [new GeminiPart { Text = text.Text }], null, null);
                    break;
                case ToolCallStarted call:
                    _calls[call.ToolIndex] = (call.Name, new System.Text.StringBuilder());
                    break;
                case ToolCallArgumentsDelta arguments when _calls.TryGetValue(arguments.ToolIndex, out var call):
                    call.Arguments.Append(arguments.JsonFragment);
                    break;
                case MessageFinished finished:
                    _finish = finished.Reason;
                    break;
                case UsageReported usage:
                    _usage = usage.Usage;
                    break;
                case StreamCompleted when !_done:
                    _done = true;
                    var parts = _calls.OrderBy(c => c.Key)
                        .Select(c => new GeminiPart { FunctionCall = new GeminiFunctionCall { Name = c.Value.Name, Args = ParseObject(c.Value.Arguments.Length == 0 ? "{}" : c.Value.Arguments.ToString(), "arguments") } })
                        .ToList();
                    if (parts.Count == 0) parts.Add(new GeminiPart { Text = "" });
                    Chunk(output, parts, FinishName(_finish), _usage);
                    break;
            }
        }

        public void EncodeError(UpstreamError error, IBufferWriter<byte> output) => SseWriter.WriteData(output, Instance.EncodeError(error));

        private void Chunk(IBufferWriter<byte> output, List<GeminiPart> parts, string? finish, TokenUsage? usage) =>
            SseWriter.WriteData(output, JsonSerializer.SerializeToUtf8Bytes(Answer(options.PublicModel, _id, parts, finish, usage), GeminiJsonContext.Default.GeminiResponse));
    }
}
