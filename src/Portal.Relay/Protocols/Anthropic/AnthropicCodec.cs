using System.Buffers;
using System.Text.Json;
using Portal.Core.Features.Catalog;
using Portal.Relay.Protocols.Canonical;
using Portal.Relay.Streaming;
using Portal.Relay.Tokens;

namespace Portal.Relay.Protocols.Anthropic;

/// <summary>
/// Anthropic Messages ⇄ canonical: requests (system blocks, content blocks, tools, thinking), answers, the
/// <c>message_start … message_stop</c> event sequence and <c>{"type":"error",…}</c> errors. Usage maps
/// <c>input_tokens + cache_read_input_tokens + cache_creation_input_tokens</c> to the canonical prompt (Anthropic's
/// <c>input_tokens</c> excludes both cache parts).
/// </summary>
public sealed class AnthropicCodec : IChatCodec
{
    public static AnthropicCodec Instance { get; } = new();

    private const string EmptySchema = """{"type":"object","properties":{}}""";

    public WireFamily Family => WireFamily.Anthropic;

    public string ApiName => "Anthropic Messages";

    // ---- requests ----

    public ChatRequest DecodeRequest(ReadOnlySpan<byte> json)
    {
        using var document = WireJson.Parse(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new TranslationException("The request body must be a JSON object.");
        var request = new ChatRequest { Model = root.String("model") ?? "" };
        if (root.Property("system") is { } system)
        {
            if (system.ValueKind == JsonValueKind.String) request.System.Add(new TextPart(system.GetString()!));
            else
                foreach (var block in root.Array("system"))
                {
                    if (block.String("type") != "text") throw new TranslationException("`system` blocks must be text blocks.", "system");
                    request.System.Add(new TextPart(block.String("text") ?? "", block.Property("cache_control") is not null));
                }
        }

        foreach (var message in root.Array("messages"))
        {
            var role = message.String("role") switch
            {
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                var other => throw new TranslationException($"Unknown message role `{other}`; use user or assistant.", "messages.role"),
            };
            request.Messages.Add(new ChatMessage(role, Blocks(message, "messages.content", request)));
        }

        foreach (var tool in root.Array("tools"))
        {
            if (tool.String("type") is { } type && type != "custom")
            {
                // Server tools (web_search_…, bash_…, text_editor_…) run at Anthropic: only a pass-through can offer them.
                request.Untranslatable.Add($"tools[type={type}]");
                continue;
            }

            request.Tools.Add(new ChatTool(tool.String("name") ?? "", tool.String("description"), tool.RawOr("input_schema", EmptySchema)));
        }

        if (root.Property("tool_choice") is { } choice)
        {
            request.ToolChoice = new ToolChoice(choice.String("type") switch
            {
                "any" => ToolChoiceKind.Required,
                "tool" => ToolChoiceKind.Function,
                "none" => ToolChoiceKind.None,
                _ => ToolChoiceKind.Auto,
            }, choice.String("name"), choice.Bool("disable_parallel_tool_use") == true);
        }

        request.MaxOutputTokens = root.Int("max_tokens");
        request.Temperature = root.Double("temperature");
        request.TopP = root.Double("top_p");
        request.TopK = root.Int("top_k");
        foreach (var stop in root.Array("stop_sequences")) request.Stop.Add(stop.GetString() ?? "");
        request.Stream = root.Bool("stream") == true;
        request.User = root.Property("metadata")?.String("user_id");
        if (root.Property("thinking") is { } thinking && thinking.String("type") == "enabled") request.ThinkingBudgetTokens = thinking.Int("budget_tokens", "thinking.budget_tokens");
        return request;
    }

    private static List<ChatPart> Blocks(JsonElement message, string param, ChatRequest request)
    {
        var parts = new List<ChatPart>();
        if (message.Property("content") is not { } content) return parts;
        if (content.ValueKind == JsonValueKind.String)
        {
            parts.Add(new TextPart(content.GetString()!));
            return parts;
        }

        if (content.ValueKind != JsonValueKind.Array) throw new TranslationException("`content` must be a string or an array of content blocks.", param);
        foreach (var block in content.EnumerateArray())
        {
            switch (block.String("type"))
            {
                case "text":
                    parts.Add(new TextPart(block.String("text") ?? "", block.Property("cache_control") is not null));
                    break;
                case "image":
                    parts.Add(Image(block, param));
                    break;
                case "tool_use":
                    parts.Add(new ToolCallPart(block.String("id") ?? "", block.String("name") ?? "", block.RawOr("input", "{}")));
                    break;
                case "tool_result":
                    var result = new List<ChatPart>();
                    if (block.Property("content") is { ValueKind: JsonValueKind.String } text) result.Add(new TextPart(text.GetString()!));
                    else result.AddRange(Blocks(block, param + ".tool_result", request));
                    parts.Add(new ToolResultPart(block.String("tool_use_id") ?? "", result, block.Bool("is_error") == true));
                    break;
                case "thinking":
                    parts.Add(new ReasoningPart(block.String("thinking") ?? "", block.String("signature")));
                    break;
                case "redacted_thinking":
                    // Encrypted reasoning only Anthropic can read: meaningless to another family, harmless to leave out.
                    break;
                case var other:
                    request.Untranslatable.Add($"{param}[type={other}]");
                    break;
            }
        }

        return parts;
    }

    private static ImagePart Image(JsonElement block, string param)
    {
        var source = block.Property("source") ?? throw new TranslationException("An image block needs a `source`.", param);
        return source.String("type") switch
        {
            "base64" => new ImagePart(null, source.String("media_type") ?? "image/png", source.String("data") ?? ""),
            "url" => new ImagePart(source.String("url") ?? "", null, null),
            var other => throw TranslationException.Unsupported($"{param}.source[type={other}]", "target"),
        };
    }

    public void EncodeRequest(ChatRequest request, string upstreamModel, IBufferWriter<byte> output)
    {
        if (request.Untranslatable.Count > 0) throw TranslationException.Unsupported(request.Untranslatable[0], ApiName);
        if (request.ResponseFormat is { Kind: not ResponseFormatKind.Text }) throw TranslationException.Unsupported("response_format", ApiName);
        if (request.Temperature is > 1) throw new TranslationException("`temperature` above 1 cannot be translated to the Anthropic Messages API (its range is 0–1).", "temperature");
        WireJson.Write(output, (request, upstreamModel), static (w, s) =>
        {
            var (r, model) = s;
            w.WriteStartObject();
            w.WriteString("model", model);
            w.WriteNumber("max_tokens", r.MaxOutputTokens ?? 4096);
            if (r.System.Count > 0)
            {
                if (r.System.Any(t => t.CacheControl))
                {
                    w.WriteStartArray("system");
                    foreach (var text in r.System) WriteText(w, text);
                    w.WriteEndArray();
                }
                else w.WriteString("system", string.Join("\n\n", r.System.Select(t => t.Text)));
            }

            w.WriteStartArray("messages");
            // Anthropic wants user/assistant turns; tool results travel in a user turn. Consecutive turns of one role merge.
            var i = 0;
            while (i < r.Messages.Count)
            {
                var role = r.Messages[i].Role == ChatRole.Assistant ? "assistant" : "user";
                w.WriteStartObject();
                w.WriteString("role", role);
                w.WriteStartArray("content");
                while (i < r.Messages.Count && (r.Messages[i].Role == ChatRole.Assistant ? "assistant" : "user") == role)
                {
                    foreach (var part in r.Messages[i].Parts) WriteBlock(w, part);
                    i++;
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (r.Tools.Count > 0 && r.ToolChoice?.Kind != ToolChoiceKind.None)
            {
                w.WriteStartArray("tools");
                foreach (var tool in r.Tools)
                {
                    w.WriteStartObject();
                    w.WriteString("name", tool.Name);
                    if (tool.Description is not null) w.WriteString("description", tool.Description);
                    w.WritePropertyName("input_schema");
                    w.WriteRawOr(tool.ParametersJson, EmptySchema);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            if (r.ToolChoice is { } choice && r.Tools.Count > 0 && choice.Kind != ToolChoiceKind.None)
            {
                w.WriteStartObject("tool_choice");
                w.WriteString("type", choice.Kind switch { ToolChoiceKind.Required => "any", ToolChoiceKind.Function => "tool", _ => "auto" });
                if (choice.Kind == ToolChoiceKind.Function) w.WriteString("name", choice.Name);
                if (choice.DisableParallel) w.WriteBoolean("disable_parallel_tool_use", true);
                w.WriteEndObject();
            }

            if (r.Temperature is { } temperature) w.WriteNumber("temperature", temperature);
            if (r.TopP is { } topP) w.WriteNumber("top_p", topP);
            if (r.TopK is { } topK) w.WriteNumber("top_k", topK);
            if (r.Stop.Count > 0)
            {
                w.WriteStartArray("stop_sequences");
                foreach (var stop in r.Stop) w.WriteStringValue(stop);
                w.WriteEndArray();
            }

            if (r.ThinkingBudgetTokens is { } budget)
            {
                w.WriteStartObject("thinking");
                w.WriteString("type", "enabled");
                w.WriteNumber("budget_tokens", budget);
                w.WriteEndObject();
            }

            if (r.User is not null)
            {
                w.WriteStartObject("metadata");
                w.WriteString("user_id", r.User);
                w.WriteEndObject();
            }

            if (r.Stream) w.WriteBoolean("stream", true);
            w.WriteEndObject();
        });
    }

    private static void WriteText(Utf8JsonWriter w, TextPart text)
    {
        w.WriteStartObject();
        w.WriteString("type", "text");
        w.WriteString("text", text.Text);
        if (text.CacheControl)
        {
            w.WriteStartObject("cache_control");
            w.WriteString("type", "ephemeral");
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteBlock(Utf8JsonWriter w, ChatPart part)
    {
        switch (part)
        {
            case TextPart text:
                if (text.Text.Length > 0) WriteText(w, text);
                break;
            case ImagePart image:
                w.WriteStartObject();
                w.WriteString("type", "image");
                w.WriteStartObject("source");
                if (image.Url is { } url)
                {
                    w.WriteString("type", "url");
                    w.WriteString("url", url);
                }
                else
                {
                    w.WriteString("type", "base64");
                    w.WriteString("media_type", image.MediaType);
                    w.WriteString("data", image.Base64Data);
                }

                w.WriteEndObject();
                w.WriteEndObject();
                break;
            case ToolCallPart call:
                w.WriteStartObject();
                w.WriteString("type", "tool_use");
                w.WriteString("id", call.Id);
                w.WriteString("name", call.Name);
                w.WritePropertyName("input");
                w.WriteRawOr(call.ArgumentsJson, "{}");
                w.WriteEndObject();
                break;
            case ToolResultPart result:
                w.WriteStartObject();
                w.WriteString("type", "tool_result");
                w.WriteString("tool_use_id", result.ToolCallId);
                w.WriteStartArray("content");
                foreach (var inner in result.Content) WriteBlock(w, inner);
                w.WriteEndArray();
                if (result.IsError) w.WriteBoolean("is_error", true);
                w.WriteEndObject();
                break;
            case ReasoningPart { Signature: { } signature } reasoning:
                // Only Anthropic's own signed thinking can be sent back; reasoning from another family is left out.
                w.WriteStartObject();
                w.WriteString("type", "thinking");
                w.WriteString("thinking", reasoning.Text);
                w.WriteString("signature", signature);
                w.WriteEndObject();
                break;
        }
    }

    // ---- answers ----

    public ChatResponse DecodeResponse(ReadOnlySpan<byte> json)
    {
        using var document = WireJson.Parse(json);
        var root = document.RootElement;
        if (root.String("type") != "message") throw new TranslationException("The upstream's answer is not an Anthropic message.");
        var response = new ChatResponse { Id = root.String("id") ?? "", Model = root.String("model") ?? "" };
        foreach (var block in root.Array("content"))
        {
            switch (block.String("type"))
            {
                case "text": response.Content.Add(new TextPart(block.String("text") ?? "")); break;
                case "tool_use": response.Content.Add(new ToolCallPart(block.String("id") ?? "", block.String("name") ?? "", block.RawOr("input", "{}"))); break;
                case "thinking": response.Content.Add(new ReasoningPart(block.String("thinking") ?? "", block.String("signature"))); break;
            }
        }

        response.FinishReason = ParseStop(root.String("stop_reason"));
        response.StopSequence = root.String("stop_sequence");
        response.Usage = ParseUsage(root.Property("usage"));
        return response;
    }

    internal static FinishReason ParseStop(string? reason) => reason switch
    {
        "max_tokens" or "model_context_window_exceeded" => FinishReason.Length,
        "tool_use" => FinishReason.ToolCalls,
        "stop_sequence" => FinishReason.StopSequence,
        "refusal" => FinishReason.ContentFilter,
        _ => FinishReason.Stop,
    };

    internal static string StopName(FinishReason reason) => reason switch
    {
        FinishReason.Length => "max_tokens",
        FinishReason.ToolCalls => "tool_use",
        FinishReason.StopSequence => "stop_sequence",
        FinishReason.ContentFilter => "refusal",
        _ => "end_turn",
    };

    /// <summary>Anthropic usage → canonical: the prompt is input + cache reads + cache writes.</summary>
    internal static TokenUsage? ParseUsage(JsonElement? usage, TokenUsage? previous = null)
    {
        if (usage is not { ValueKind: JsonValueKind.Object } u) return previous;
        var prior = previous ?? default;
        var input = u.Long("input_tokens") ?? (prior.PromptTokens - prior.CachedPromptTokens - prior.CacheWriteTokens);
        var read = u.Long("cache_read_input_tokens") ?? prior.CachedPromptTokens;
        var written = u.Long("cache_creation_input_tokens") ?? prior.CacheWriteTokens;
        var output = u.Long("output_tokens") ?? prior.CompletionTokens;
        return new TokenUsage(input + read + written, read, output, false) { CacheWriteTokens = written };
    }

    internal static void WriteUsage(Utf8JsonWriter w, TokenUsage usage)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", Math.Max(0, usage.PromptTokens - usage.CachedPromptTokens - usage.CacheWriteTokens));
        w.WriteNumber("cache_creation_input_tokens", usage.CacheWriteTokens);
        w.WriteNumber("cache_read_input_tokens", usage.CachedPromptTokens);
        w.WriteNumber("output_tokens", usage.CompletionTokens);
        w.WriteEndObject();
    }

    public void EncodeResponse(ChatResponse response, string publicModel, IBufferWriter<byte> output) =>
        WireJson.Write(output, (response, publicModel), static (w, s) =>
        {
            var (r, model) = s;
            w.WriteStartObject();
            w.WriteString("id", MessageId(r.Id));
            w.WriteString("type", "message");
            w.WriteString("role", "assistant");
            w.WriteString("model", model);
            w.WriteStartArray("content");
            foreach (var part in r.Content)
            {
                switch (part)
                {
                    case TextPart text:
                        w.WriteStartObject();
                        w.WriteString("type", "text");
                        w.WriteString("text", text.Text);
                        w.WriteEndObject();
                        break;
                    case ToolCallPart call:
                        w.WriteStartObject();
                        w.WriteString("type", "tool_use");
                        w.WriteString("id", call.Id);
                        w.WriteString("name", call.Name);
                        w.WritePropertyName("input");
                        w.WriteRawOr(call.ArgumentsJson, "{}");
                        w.WriteEndObject();
                        break;
                }
            }

            w.WriteEndArray();
            w.WriteString("stop_reason", StopName(r.FinishReason));
            if (r.StopSequence is null) w.WriteNull("stop_sequence");
            else w.WriteString("stop_sequence", r.StopSequence);
            WriteUsage(w, r.Usage ?? default);
            w.WriteEndObject();
        });

    /// <summary>Anthropic clients expect <c>msg_</c> ids; another family's id is kept after the prefix.</summary>
    internal static string MessageId(string id) => id.StartsWith("msg_", StringComparison.Ordinal) ? id : "msg_" + id;

    // ---- errors ----

    public UpstreamError DecodeError(int status, ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            if (document.RootElement.Property("error") is { } error)
                return new UpstreamError(status, error.String("message") ?? $"HTTP {status}", error.String("type"));
        }
        catch (JsonException)
        {
            // Not JSON: keep the status only.
        }

        return new UpstreamError(status, $"The upstream answered HTTP {status}.");
    }

    public byte[] EncodeError(UpstreamError error)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        WriteError(buffer, error);
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteError(IBufferWriter<byte> output, UpstreamError error) =>
        WireJson.Write(output, error, static (w, e) =>
        {
            w.WriteStartObject();
            w.WriteString("type", "error");
            w.WriteStartObject("error");
            w.WriteString("type", e.Type is { } type && type.EndsWith("_error", StringComparison.Ordinal) ? type : ErrorType(e.Status));
            w.WriteString("message", e.Message);
            w.WriteEndObject();
            w.WriteEndObject();
        });

    /// <summary>Anthropic's error type for an HTTP status.</summary>
    public static string ErrorType(int status) => status switch
    {
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        529 => "overloaded_error",
        >= 500 => "api_error",
        _ => "invalid_request_error",
    };

    // ---- streams ----

    public IStreamDecoder CreateStreamDecoder() => new StreamDecoder();

    public IStreamEncoder CreateStreamEncoder(StreamEncoding options) => new StreamEncoder(options);

    private sealed class StreamDecoder : IStreamDecoder
    {
        private readonly Dictionary<int, int> _toolByBlock = [];
        private TokenUsage? _usage;

        public void Decode(in SseEvent sseEvent, List<StreamEvent> output)
        {
            using var document = WireJson.ParseEvent(sseEvent);
            if (document is null) return;
            var root = document.RootElement;
            switch (root.String("type"))
            {
                case "message_start":
                    var message = root.Property("message");
                    _usage = ParseUsage(message?.Property("usage"));
                    output.Add(new MessageStarted(message?.String("id") ?? "", message?.String("model") ?? "", _usage));
                    break;
                case "content_block_start":
                    var block = root.Property("content_block");
                    var index = root.Int("index") ?? 0;
                    switch (block?.String("type"))
                    {
                        case "tool_use":
                            var toolIndex = _toolByBlock.Count;
                            _toolByBlock[index] = toolIndex;
                            output.Add(new ToolCallStarted(toolIndex, block.Value.String("id") ?? "", block.Value.String("name") ?? ""));
                            break;
                        case "text" when block.Value.String("text") is { Length: > 0 } initial:
                            output.Add(new TextDelta(initial));
                            break;
                    }

                    break;
                case "content_block_delta":
                    var delta = root.Property("delta");
                    switch (delta?.String("type"))
                    {
                        case "text_delta": output.Add(new TextDelta(delta.Value.String("text") ?? "")); break;
                        case "input_json_delta" when _toolByBlock.TryGetValue(root.Int("index") ?? 0, out var tool):
                            if (delta.Value.String("partial_json") is { Length: > 0 } fragment) output.Add(new ToolCallArgumentsDelta(tool, fragment));
                            break;
                        case "thinking_delta": output.Add(new ReasoningDelta(delta.Value.String("thinking") ?? "")); break;
                        case "signature_delta": output.Add(new ReasoningDelta("", delta.Value.String("signature"))); break;
                    }

                    break;
                case "message_delta":
                    if (root.Property("delta")?.String("stop_reason") is { } stop) output.Add(new MessageFinished(ParseStop(stop), root.Property("delta")?.String("stop_sequence")));
                    _usage = ParseUsage(root.Property("usage"), _usage);
                    if (_usage is { } usage) output.Add(new UsageReported(usage));
                    break;
                case "message_stop":
                    output.Add(StreamCompleted.Instance);
                    break;
                case "error":
                    var error = root.Property("error");
                    output.Add(new StreamFailed(error?.String("type") == "overloaded_error" ? 529 : 500, error?.String("type") ?? "api_error", error?.String("message") ?? "The upstream reported an error."));
                    break;
            }
        }
    }

    private sealed class StreamEncoder(StreamEncoding options) : IStreamEncoder
    {
        private enum Block
        {
            None,
            Text,
            Thinking,
            Tool,
        }

        private int _index = -1;
        private Block _open;
        private bool _started;
        private bool _done;
        private FinishReason _finish = FinishReason.Stop;
        private string? _stopSequence;
        private TokenUsage _usage;

        public void Encode(StreamEvent streamEvent, IBufferWriter<byte> output)
        {
            switch (streamEvent)
            {
                case MessageStarted started:
                    if (started.Usage is { } initial) _usage = initial;
                    Start(output, started.Id);
                    break;
                case TextDelta text:
                    Start(output, null);
                    Open(output, Block.Text, null);
                    WireJson.WriteEvent(output, "content_block_delta"u8, (_index, text.Text), static (w, s) =>
                    {
                        w.WriteStartObject();
                        w.WriteString("type", "content_block_delta");
                        w.WriteNumber("index", s._index);
                        w.WriteStartObject("delta");
                        w.WriteString("type", "text_delta");
                        w.WriteString("text", s.Text);
                        w.WriteEndObject();
                        w.WriteEndObject();
                    });
                    break;
                case ReasoningDelta { Text.Length: > 0 } reasoning:
                    Start(output, null);
                    Open(output, Block.Thinking, null);
                    WireJson.WriteEvent(output, "content_block_delta"u8, (_index, reasoning.Text), static (w, s) =>
                    {
                        w.WriteStartObject();
                        w.WriteString("type", "content_block_delta");
                        w.WriteNumber("index", s._index);
                        w.WriteStartObject("delta");
                        w.WriteString("type", "thinking_delta");
                        w.WriteString("thinking", s.Text);
                        w.WriteEndObject();
                        w.WriteEndObject();
                    });
                    break;
                case ToolCallStarted call:
                    Start(output, null);
                    Close(output);
                    Open(output, Block.Tool, call);
                    break;
                case ToolCallArgumentsDelta arguments:
                    WireJson.WriteEvent(output, "content_block_delta"u8, (_index, arguments.JsonFragment), static (w, s) =>
                    {
                        w.WriteStartObject();
                        w.WriteString("type", "content_block_delta");
                        w.WriteNumber("index", s._index);
                        w.WriteStartObject("delta");
                        w.WriteString("type", "input_json_delta");
                        w.WriteString("partial_json", s.JsonFragment);
                        w.WriteEndObject();
                        w.WriteEndObject();
                    });
                    break;
                case MessageFinished finished:
                    _finish = finished.Reason;
                    _stopSequence = finished.StopSequence;
                    break;
                case UsageReported usage:
                    _usage = usage.Usage;
                    break;
                case StreamCompleted when !_done:
                    _done = true;
                    Start(output, null);
                    Close(output);
                    WireJson.WriteEvent(output, "message_delta"u8, this, static (w, s) =>
                    {
                        w.WriteStartObject();
                        w.WriteString("type", "message_delta");
                        w.WriteStartObject("delta");
                        w.WriteString("stop_reason", StopName(s._finish));
                        if (s._stopSequence is null) w.WriteNull("stop_sequence");
                        else w.WriteString("stop_sequence", s._stopSequence);
                        w.WriteEndObject();
                        WriteUsage(w, s._usage);
                        w.WriteEndObject();
                    });
                    WireJson.WriteEvent(output, "message_stop"u8, 0, static (w, _) =>
                    {
                        w.WriteStartObject();
                        w.WriteString("type", "message_stop");
                        w.WriteEndObject();
                    });
                    break;
            }
        }

        public void EncodeError(UpstreamError error, IBufferWriter<byte> output)
        {
            WireJson.Append(output, "event: error\ndata: "u8);
            WriteError(output, error);
            WireJson.Append(output, "\n\n"u8);
        }

        private void Start(IBufferWriter<byte> output, string? id)
        {
            if (_started) return;
            _started = true;
            WireJson.WriteEvent(output, "message_start"u8, (this, MessageId(string.IsNullOrEmpty(id) ? "portal" : id)), static (w, s) =>
            {
                w.WriteStartObject();
                w.WriteString("type", "message_start");
                w.WriteStartObject("message");
                w.WriteString("id", s.Item2);
                w.WriteString("type", "message");
                w.WriteString("role", "assistant");
                w.WriteString("model", s.Item1.Options.PublicModel);
                w.WriteStartArray("content");
                w.WriteEndArray();
                w.WriteNull("stop_reason");
                w.WriteNull("stop_sequence");
                WriteUsage(w, s.Item1._usage);
                w.WriteEndObject();
                w.WriteEndObject();
            });
        }

        private StreamEncoding Options => options;

        private void Open(IBufferWriter<byte> output, Block kind, ToolCallStarted? call)
        {
            if (_open == kind && kind != Block.Tool) return;
            Close(output);
            _open = kind;
            _index++;
            WireJson.WriteEvent(output, "content_block_start"u8, (_index, kind, call), static (w, s) =>
            {
                w.WriteStartObject();
                w.WriteString("type", "content_block_start");
                w.WriteNumber("index", s._index);
                w.WriteStartObject("content_block");
                switch (s.kind)
                {
                    case Block.Text:
                        w.WriteString("type", "text");
                        w.WriteString("text", "");
                        break;
                    case Block.Thinking:
                        w.WriteString("type", "thinking");
                        w.WriteString("thinking", "");
                        break;
                    default:
                        w.WriteString("type", "tool_use");
                        w.WriteString("id", s.call!.Id);
                        w.WriteString("name", s.call.Name);
                        w.WriteStartObject("input");
                        w.WriteEndObject();
                        break;
                }

                w.WriteEndObject();
                w.WriteEndObject();
            });
        }

        private void Close(IBufferWriter<byte> output)
        {
            if (_open == Block.None) return;
            _open = Block.None;
            WireJson.WriteEvent(output, "content_block_stop"u8, _index, static (w, index) =>
            {
                w.WriteStartObject();
                w.WriteString("type", "content_block_stop");
                w.WriteNumber("index", index);
                w.WriteEndObject();
            });
        }
    }
}
