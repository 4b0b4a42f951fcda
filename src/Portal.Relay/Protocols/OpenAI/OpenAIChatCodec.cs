using System.Buffers;
using System.Text.Json;
using Portal.Core.Features.Catalog;
using Portal.Relay.Protocols.Canonical;
using Portal.Relay.Streaming;
using Portal.Relay.Tokens;

namespace Portal.Relay.Protocols.OpenAI;

/// <summary>OpenAI chat completions ⇄ canonical: requests, answers, stream chunks and errors.</summary>
public sealed class OpenAIChatCodec : IChatCodec
{
    public static OpenAIChatCodec Instance { get; } = new();

    public WireFamily Family => WireFamily.OpenAI;

    public string ApiName => "OpenAI chat completions";

    // ---- requests ----

    public ChatRequest DecodeRequest(ReadOnlySpan<byte> json)
    {
        using var document = WireJson.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new TranslationException("The request body must be a JSON object.");
        var request = new ChatRequest { Model = root.String("model") ?? "" };
        foreach (var message in root.Array("messages"))
        {
            var role = message.String("role");
            switch (role)
            {
                case "system" or "developer":
                    foreach (var part in ContentParts(message, "messages.content")) request.System.Add(part as TextPart ?? throw new TranslationException("System messages can only contain text.", "messages.content"));
                    break;
                case "user":
                    request.Messages.Add(new ChatMessage(ChatRole.User, ContentParts(message, "messages.content")));
                    break;
                case "assistant":
                    var parts = new List<ChatPart>();
                    if (message.String("reasoning_content") is { Length: > 0 } reasoning) parts.Add(new ReasoningPart(reasoning, null));
                    parts.AddRange(ContentParts(message, "messages.content"));
                    foreach (var call in message.Array("tool_calls", "messages.tool_calls"))
                    {
                        var function = call.Property("function") ?? throw new TranslationException("A tool call needs a `function`.", "messages.tool_calls.function");
                        parts.Add(new ToolCallPart(call.String("id") ?? "", function.String("name") ?? "", function.String("arguments") ?? "{}"));
                    }

                    request.Messages.Add(new ChatMessage(ChatRole.Assistant, parts));
                    break;
                case "tool":
                    var result = new ToolResultPart(message.String("tool_call_id") ?? "", ContentParts(message, "messages.content"));
                    // Consecutive tool messages answer one assistant turn: keep them together.
                    if (request.Messages.Count > 0 && request.Messages[^1].Role == ChatRole.Tool)
                        request.Messages[^1] = new ChatMessage(ChatRole.Tool, [.. request.Messages[^1].Parts, result]);
                    else request.Messages.Add(new ChatMessage(ChatRole.Tool, [result]));
                    break;
                case "function":
                    throw TranslationException.Unsupported("messages.role: function", "target");
                default:
                    throw new TranslationException($"Unknown message role `{role}`.", "messages.role");
            }
        }

        foreach (var tool in root.Array("tools"))
        {
            if (tool.String("type") is { } type && type != "function") throw new TranslationException($"Only function tools can be translated, not `{type}`.", "tools.type");
            var function = tool.Property("function") ?? throw new TranslationException("A tool needs a `function`.", "tools.function");
            request.Tools.Add(new ChatTool(function.String("name") ?? "", function.String("description"), function.RawOr("parameters", """{"type":"object","properties":{}}""")));
        }

        if (root.Property("tool_choice") is { } choice)
        {
            request.ToolChoice = choice.ValueKind == JsonValueKind.String
                ? choice.GetString() switch
                {
                    "none" => new ToolChoice(ToolChoiceKind.None),
                    "required" => new ToolChoice(ToolChoiceKind.Required),
                    _ => new ToolChoice(ToolChoiceKind.Auto),
                }
                : new ToolChoice(ToolChoiceKind.Function, choice.Property("function")?.String("name"));
        }

        if (root.Bool("parallel_tool_calls") == false)
            request.ToolChoice = (request.ToolChoice ?? new ToolChoice(ToolChoiceKind.Auto)) with { DisableParallel = true };

        request.MaxOutputTokens = root.Int("max_completion_tokens") ?? root.Int("max_tokens");
        request.Temperature = root.Double("temperature");
        request.TopP = root.Double("top_p");
        if (root.Property("stop") is { } stop)
        {
            if (stop.ValueKind == JsonValueKind.String) request.Stop.Add(stop.GetString()!);
            else foreach (var s in root.Array("stop")) request.Stop.Add(s.GetString() ?? "");
        }

        if (root.Property("response_format") is { } format)
        {
            request.ResponseFormat = format.String("type") switch
            {
                "json_object" => new ResponseFormat(ResponseFormatKind.JsonObject),
                "json_schema" => new ResponseFormat(ResponseFormatKind.JsonSchema, format.Property("json_schema")?.String("name"),
                    format.Property("json_schema")?.RawOr("schema", "{}"), format.Property("json_schema")?.Bool("strict") == true),
                _ => null,
            };
        }

        request.Stream = root.Bool("stream") == true;
        request.User = root.String("user");
        // Fields that change the answer and have no equivalent elsewhere: refused when set to a non-default value.
        if (root.Int("n") is > 1) request.Untranslatable.Add("n");
        if (root.Bool("logprobs") == true) request.Untranslatable.Add("logprobs");
        if (root.Property("logit_bias") is { ValueKind: JsonValueKind.Object } bias && bias.EnumerateObject().Any()) request.Untranslatable.Add("logit_bias");
        if (root.Double("presence_penalty") is { } presence && presence != 0) request.Untranslatable.Add("presence_penalty");
        if (root.Double("frequency_penalty") is { } frequency && frequency != 0) request.Untranslatable.Add("frequency_penalty");
        if (root.Property("audio") is not null) request.Untranslatable.Add("audio");
        return request;
    }

    private static List<ChatPart> ContentParts(JsonElement message, string param)
    {
        var parts = new List<ChatPart>();
        if (message.Property("content") is not { } content) return parts;
        if (content.ValueKind == JsonValueKind.String)
        {
            parts.Add(new TextPart(content.GetString()!));
            return parts;
        }

        if (content.ValueKind != JsonValueKind.Array) throw new TranslationException("`content` must be a string or an array of parts.", param);
        foreach (var part in content.EnumerateArray())
        {
            switch (part.String("type"))
            {
                case "text":
                    parts.Add(new TextPart(part.String("text") ?? ""));
                    break;
                case "image_url":
                    var url = part.Property("image_url") is { } image ? image.ValueKind == JsonValueKind.String ? image.GetString() : image.String("url") : null;
                    parts.Add(ImagePart.FromUrl(url ?? throw new TranslationException("An image part needs `image_url.url`.", param)));
                    break;
                case var other:
                    throw TranslationException.Unsupported($"{param}[type={other}]", "target");
            }
        }

        return parts;
    }

    public void EncodeRequest(ChatRequest request, string upstreamModel, IBufferWriter<byte> output)
    {
        if (request.Untranslatable.Count > 0) throw TranslationException.Unsupported(request.Untranslatable[0], ApiName);
        if (request.TopK is not null) throw TranslationException.Unsupported("top_k", ApiName);
        foreach (var message in request.Messages)
        foreach (var result in message.Parts.OfType<ToolResultPart>())
            if (result.Content.Any(c => c is ImagePart)) throw TranslationException.Unsupported("tool_result.content[type=image]", ApiName);

        WireJson.Write(output, (request, upstreamModel), static (w, s) =>
        {
            var (r, model) = s;
            w.WriteStartObject();
            w.WriteString("model", model);
            w.WriteStartArray("messages");
            if (r.System.Count > 0)
            {
                w.WriteStartObject();
                w.WriteString("role", "system");
                w.WriteString("content", string.Join("\n\n", r.System.Select(t => t.Text)));
                w.WriteEndObject();
            }

            foreach (var message in r.Messages) WriteMessage(w, message);
            w.WriteEndArray();
            if (r.Tools.Count > 0)
            {
                w.WriteStartArray("tools");
                foreach (var tool in r.Tools)
                {
                    w.WriteStartObject();
                    w.WriteString("type", "function");
                    w.WriteStartObject("function");
                    w.WriteString("name", tool.Name);
                    if (tool.Description is not null) w.WriteString("description", tool.Description);
                    w.WritePropertyName("parameters");
                    w.WriteRawOr(tool.ParametersJson, """{"type":"object","properties":{}}""");
                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            if (r.ToolChoice is { } choice)
            {
                switch (choice.Kind)
                {
                    case ToolChoiceKind.None: w.WriteString("tool_choice", "none"); break;
                    case ToolChoiceKind.Required: w.WriteString("tool_choice", "required"); break;
                    case ToolChoiceKind.Function:
                        w.WriteStartObject("tool_choice");
                        w.WriteString("type", "function");
                        w.WriteStartObject("function");
                        w.WriteString("name", choice.Name);
                        w.WriteEndObject();
                        w.WriteEndObject();
                        break;
                }

                if (choice.DisableParallel && r.Tools.Count > 0) w.WriteBoolean("parallel_tool_calls", false);
            }

            if (r.MaxOutputTokens is { } max) w.WriteNumber("max_tokens", max);
            if (r.Temperature is { } temperature) w.WriteNumber("temperature", temperature);
            if (r.TopP is { } topP) w.WriteNumber("top_p", topP);
            if (r.Stop.Count > 0)
            {
                w.WriteStartArray("stop");
                foreach (var stop in r.Stop) w.WriteStringValue(stop);
                w.WriteEndArray();
            }

            if (r.ResponseFormat is { } format)
            {
                w.WriteStartObject("response_format");
                switch (format.Kind)
                {
                    case ResponseFormatKind.JsonObject: w.WriteString("type", "json_object"); break;
                    case ResponseFormatKind.JsonSchema:
                        w.WriteString("type", "json_schema");
                        w.WriteStartObject("json_schema");
                        w.WriteString("name", format.SchemaName ?? "response");
                        w.WritePropertyName("schema");
                        w.WriteRawOr(format.SchemaJson ?? "{}", "{}");
                        if (format.Strict) w.WriteBoolean("strict", true);
                        w.WriteEndObject();
                        break;
                    default: w.WriteString("type", "text"); break;
                }

                w.WriteEndObject();
            }

            if (r.User is not null) w.WriteString("user", r.User);
            if (r.Stream)
            {
                w.WriteBoolean("stream", true);
                w.WriteStartObject("stream_options");
                w.WriteBoolean("include_usage", true);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        });
    }

    private static void WriteMessage(Utf8JsonWriter w, ChatMessage message)
    {
        if (message.Role == ChatRole.Tool || message.Parts.Any(p => p is ToolResultPart))
        {
            // Tool results become one `tool` message each; anything else the same turn carried follows as a user message.
            foreach (var result in message.Parts.OfType<ToolResultPart>())
            {
                w.WriteStartObject();
                w.WriteString("role", "tool");
                w.WriteString("tool_call_id", result.ToolCallId);
                var text = string.Concat(result.Content.OfType<TextPart>().Select(t => t.Text));
                w.WriteString("content", result.IsError && text.Length == 0 ? "error" : text);
                w.WriteEndObject();
            }

            var rest = message.Parts.Where(p => p is not ToolResultPart).ToList();
            if (rest.Count > 0) WriteMessage(w, new ChatMessage(ChatRole.User, rest));
            return;
        }

        w.WriteStartObject();
        w.WriteString("role", message.Role == ChatRole.Assistant ? "assistant" : "user");
        var visible = message.Parts.Where(p => p is TextPart or ImagePart).ToList();
        if (message.Role == ChatRole.Assistant)
        {
            var text = string.Concat(visible.OfType<TextPart>().Select(t => t.Text));
            if (text.Length > 0 || !message.Parts.Any(p => p is ToolCallPart)) w.WriteString("content", text);
            else w.WriteNull("content");
        }
        else if (visible.Count == 1 && visible[0] is TextPart only) w.WriteString("content", only.Text);
        else
        {
            w.WriteStartArray("content");
            foreach (var part in visible)
            {
                w.WriteStartObject();
                if (part is TextPart text)
                {
                    w.WriteString("type", "text");
                    w.WriteString("text", text.Text);
                }
                else
                {
                    w.WriteString("type", "image_url");
                    w.WriteStartObject("image_url");
                    w.WriteString("url", ((ImagePart)part).ToUrl());
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        var calls = message.Parts.OfType<ToolCallPart>().ToList();
        if (calls.Count > 0)
        {
            w.WriteStartArray("tool_calls");
            foreach (var call in calls)
            {
                w.WriteStartObject();
                w.WriteString("id", call.Id);
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", call.Name);
                w.WriteString("arguments", call.ArgumentsJson);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    // ---- answers ----

    public ChatResponse DecodeResponse(ReadOnlySpan<byte> json)
    {
        using var document = WireJson.Parse(json);
        var root = document.RootElement;
        var choice = root.Array("choices").FirstOrDefault();
        if (choice.ValueKind != JsonValueKind.Object) throw new TranslationException("The upstream's answer has no choices.");
        var response = new ChatResponse { Id = root.String("id") ?? "", Model = root.String("model") ?? "", Created = root.Long("created") ?? 0 };
        var message = choice.Property("message");
        if (message?.String("reasoning_content") is { Length: > 0 } reasoning) response.Content.Add(new ReasoningPart(reasoning, null));
        if (message?.String("content") is { Length: > 0 } text) response.Content.Add(new TextPart(text));
        if (message is { } m)
            foreach (var call in m.Array("tool_calls"))
                response.Content.Add(new ToolCallPart(call.String("id") ?? "", call.Property("function")?.String("name") ?? "", call.Property("function")?.String("arguments") ?? "{}"));
        response.FinishReason = ParseFinish(choice.String("finish_reason"));
        response.Usage = ParseUsage(root.Property("usage"));
        return response;
    }

    internal static FinishReason ParseFinish(string? reason) => reason switch
    {
        "length" => FinishReason.Length,
        "tool_calls" or "function_call" => FinishReason.ToolCalls,
        "content_filter" => FinishReason.ContentFilter,
        _ => FinishReason.Stop,
    };

    internal static string FinishName(FinishReason reason) => reason switch
    {
        FinishReason.Length => "length",
        FinishReason.ToolCalls => "tool_calls",
        FinishReason.ContentFilter => "content_filter",
        _ => "stop",
    };

    internal static TokenUsage? ParseUsage(JsonElement? usage)
    {
        if (usage is not { ValueKind: JsonValueKind.Object } u) return null;
        return new TokenUsage(u.Long("prompt_tokens") ?? 0, u.Property("prompt_tokens_details")?.Long("cached_tokens") ?? 0, u.Long("completion_tokens") ?? 0, false)
        {
            ReasoningTokens = u.Property("completion_tokens_details")?.Long("reasoning_tokens") ?? 0,
        };
    }

    internal static void WriteUsage(Utf8JsonWriter w, TokenUsage usage)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", usage.PromptTokens);
        w.WriteNumber("completion_tokens", usage.CompletionTokens);
        w.WriteNumber("total_tokens", usage.TotalTokens);
        w.WriteStartObject("prompt_tokens_details");
        w.WriteNumber("cached_tokens", usage.CachedPromptTokens);
        w.WriteEndObject();
        if (usage.ReasoningTokens > 0)
        {
            w.WriteStartObject("completion_tokens_details");
            w.WriteNumber("reasoning_tokens", usage.ReasoningTokens);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    public void EncodeResponse(ChatResponse response, string publicModel, IBufferWriter<byte> output) =>
        WireJson.Write(output, (response, publicModel), static (w, s) =>
        {
            var (r, model) = s;
            w.WriteStartObject();
            w.WriteString("id", ChatId(r.Id));
            w.WriteString("object", "chat.completion");
            w.WriteNumber("created", r.Created);
            w.WriteString("model", model);
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            var text = string.Concat(r.Content.OfType<TextPart>().Select(t => t.Text));
            var calls = r.Content.OfType<ToolCallPart>().ToList();
            if (text.Length == 0 && calls.Count > 0) w.WriteNull("content");
            else w.WriteString("content", text);
            if (calls.Count > 0)
            {
                w.WriteStartArray("tool_calls");
                foreach (var call in calls)
                {
                    w.WriteStartObject();
                    w.WriteString("id", call.Id);
                    w.WriteString("type", "function");
                    w.WriteStartObject("function");
                    w.WriteString("name", call.Name);
                    w.WriteString("arguments", call.ArgumentsJson);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
            w.WriteNull("logprobs");
            w.WriteString("finish_reason", FinishName(r.FinishReason));
            w.WriteEndObject();
            w.WriteEndArray();
            if (r.Usage is { } usage) WriteUsage(w, usage);
            w.WriteEndObject();
        });

    /// <summary>OpenAI clients expect <c>chatcmpl-</c> ids; another family's id is kept after the prefix.</summary>
    internal static string ChatId(string id) => id.StartsWith("chatcmpl-", StringComparison.Ordinal) ? id : "chatcmpl-" + id;

    // ---- errors ----

    public UpstreamError DecodeError(int status, ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            if (document.RootElement.Property("error") is { } error)
                return new UpstreamError(status, error.ValueKind == JsonValueKind.String ? error.GetString()! : error.String("message") ?? $"HTTP {status}");
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page): keep the status, say nothing of the body.
        }

        return new UpstreamError(status, $"The upstream answered HTTP {status}.");
    }

    public byte[] EncodeError(UpstreamError error)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        WireJson.Write(buffer, error, static (w, e) =>
        {
            w.WriteStartObject();
            w.WriteStartObject("error");
            w.WriteString("message", e.Message);
            w.WriteString("type", ErrorType(e.Status));
            w.WriteNull("param");
            w.WriteNull("code");
            w.WriteEndObject();
            w.WriteEndObject();
        });
        return buffer.WrittenSpan.ToArray();
    }

    internal static string ErrorType(int status) => status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };

    // ---- streams ----

    public IStreamDecoder CreateStreamDecoder() => new StreamDecoder();

    public IStreamEncoder CreateStreamEncoder(StreamEncoding options) => new StreamEncoder(options);

    private sealed class StreamDecoder : IStreamDecoder
    {
        private bool _started;
        private readonly HashSet<int> _toolsStarted = [];

        public void Decode(in SseEvent sseEvent, List<StreamEvent> output)
        {
            if (sseEvent.IsDone)
            {
                output.Add(StreamCompleted.Instance);
                return;
            }

            using var document = WireJson.ParseEvent(sseEvent);
            if (document is null) return;
            var root = document.RootElement;
            if (root.Property("error") is { } error)
            {
                output.Add(new StreamFailed(500, "api_error", error.String("message") ?? "The upstream reported an error."));
                return;
            }

            if (!_started)
            {
                _started = true;
                output.Add(new MessageStarted(root.String("id") ?? "", root.String("model") ?? "", null));
            }

            foreach (var choice in root.Array("choices"))
            {
                if (choice.Property("delta") is { } delta)
                {
                    if (delta.String("reasoning_content") is { Length: > 0 } reasoning) output.Add(new ReasoningDelta(reasoning));
                    if (delta.String("content") is { Length: > 0 } text) output.Add(new TextDelta(text));
                    foreach (var call in delta.Array("tool_calls"))
                    {
                        var index = call.Int("index") ?? 0;
                        var function = call.Property("function");
                        if (_toolsStarted.Add(index)) output.Add(new ToolCallStarted(index, call.String("id") ?? $"call_{index}", function?.String("name") ?? ""));
                        if (function?.String("arguments") is { Length: > 0 } arguments) output.Add(new ToolCallArgumentsDelta(index, arguments));
                    }
                }

                if (choice.String("finish_reason") is { } finish) output.Add(new MessageFinished(ParseFinish(finish)));
            }

            if (ParseUsage(root.Property("usage")) is { } usage) output.Add(new UsageReported(usage));
        }
    }

    private sealed class StreamEncoder(StreamEncoding options) : IStreamEncoder
    {
        private string _id = "chatcmpl-portal";
        private TokenUsage? _usage;
        private bool _finished;
        private bool _done;

        public void Encode(StreamEvent streamEvent, IBufferWriter<byte> output)
        {
            switch (streamEvent)
            {
                case MessageStarted started:
                    _id = ChatId(started.Id.Length > 0 ? started.Id : "portal");
                    if (started.Usage is { } initial) _usage = initial;
                    Chunk(output, static (w, _) =>
                    {
                        w.WriteString("role", "assistant");
                        w.WriteString("content", "");
                    }, 0, null);
                    break;
                case TextDelta text:
                    Chunk(output, static (w, t) => w.WriteString("content", t), text.Text, null);
                    break;
                case ToolCallStarted call:
                    Chunk(output, static (w, c) =>
                    {
                        w.WriteStartArray("tool_calls");
                        w.WriteStartObject();
                        w.WriteNumber("index", c.ToolIndex);
                        w.WriteString("id", c.Id);
                        w.WriteString("type", "function");
                        w.WriteStartObject("function");
                        w.WriteString("name", c.Name);
                        w.WriteString("arguments", "");
                        w.WriteEndObject();
                        w.WriteEndObject();
                        w.WriteEndArray();
                    }, call, null);
                    break;
                case ToolCallArgumentsDelta arguments:
                    Chunk(output, static (w, a) =>
                    {
                        w.WriteStartArray("tool_calls");
                        w.WriteStartObject();
                        w.WriteNumber("index", a.ToolIndex);
                        w.WriteStartObject("function");
                        w.WriteString("arguments", a.JsonFragment);
                        w.WriteEndObject();
                        w.WriteEndObject();
                        w.WriteEndArray();
                    }, arguments, null);
                    break;
                case MessageFinished finished when !_finished:
                    _finished = true;
                    Chunk(output, static (_, _) => { }, 0, FinishName(finished.Reason));
                    break;
                case UsageReported usage:
                    _usage = usage.Usage;
                    break;
                case StreamCompleted when !_done:
                    _done = true;
                    if (options.IncludeUsage && _usage is { } total)
                    {
                        WireJson.WriteEvent(output, default, (this, total), static (w, s) =>
                        {
                            s.Item1.Header(w);
                            w.WriteStartArray("choices");
                            w.WriteEndArray();
                            WriteUsage(w, s.total);
                            w.WriteEndObject();
                        });
                    }

                    SseWriter.WriteDone(output);
                    break;
            }
        }

        public void EncodeError(UpstreamError error, IBufferWriter<byte> output) =>
            SseWriter.WriteData(output, Instance.EncodeError(error));

        private void Header(Utf8JsonWriter w)
        {
            w.WriteStartObject();
            w.WriteString("id", _id);
            w.WriteString("object", "chat.completion.chunk");
            w.WriteNumber("created", options.Created);
            w.WriteString("model", options.PublicModel);
        }

        private void Chunk<T>(IBufferWriter<byte> output, Action<Utf8JsonWriter, T> delta, T state, string? finishReason) =>
            WireJson.WriteEvent(output, default, (this, delta, state, finishReason), static (w, s) =>
            {
                s.Item1.Header(w);
                w.WriteStartArray("choices");
                w.WriteStartObject();
                w.WriteNumber("index", 0);
                w.WriteStartObject("delta");
                s.delta(w, s.state);
                w.WriteEndObject();
                if (s.finishReason is null) w.WriteNull("finish_reason");
                else w.WriteString("finish_reason", s.finishReason);
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            });
    }
}
