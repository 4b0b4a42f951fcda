using System.Buffers;
using System.Text.Json;
using Portal.Core.Features.Catalog;
using Portal.Relay.Errors;
using Portal.Relay.Protocols.Canonical;
using Portal.Relay.Protocols.OpenAI;
using Portal.Relay.Streaming;
using Portal.Relay.Tokens;

namespace Portal.Relay.Protocols.Responses;

/// <summary>
/// The <c>/v1/responses</c> surface's codec: Responses requests → canonical (for channels without the Responses API),
/// canonical answers and stream events → the Responses wire (<see cref="ResponsesEncoder"/>), and, for pass-through
/// metering, Responses answers and events → canonical. It is a client surface only: no channel is reached by
/// translating into the Responses wire (a channel with the Responses API gets the client's own bytes).
/// </summary>
internal sealed class ResponsesCodec : IChatCodec
{
    public static ResponsesCodec Instance { get; } = new();

    public WireFamily Family => WireFamily.OpenAI;

    public string ApiName => "OpenAI Responses";

    // ---- requests ----

    public ChatRequest DecodeRequest(ReadOnlySpan<byte> json)
    {
        var decoded = ResponsesRequestDecoder.Decode(json);
        if (!decoded.IsSuccess)
        {
            var error = (InvalidRequestError)decoded.Error;
            throw new TranslationException(error.Message, error.Param);
        }

        return ToCanonical(decoded.Value);
    }

    /// <summary>The decoded Responses request in canonical form: hosted tools and earlier reasoning items left out (README, Decisions).</summary>
    public static ChatRequest ToCanonical(ResponsesRequest source)
    {
        var request = new ChatRequest
        {
            Model = source.Model,
            Stream = source.Stream,
            MaxOutputTokens = source.MaxOutputTokens,
            Temperature = source.Temperature,
            TopP = source.TopP,
            User = source.User,
        };
        if (source.Instructions is { } instructions) request.System.Add(new TextPart(instructions));
        foreach (var item in source.Input)
        {
            switch (item)
            {
                case ResponsesMessage { Role: "system" or "developer" } message:
                    request.System.Add(new TextPart(Text(message)));
                    break;
                case ResponsesMessage { Role: "assistant" } message:
                    Append(request, ChatRole.Assistant, new TextPart(Text(message)));
                    break;
                case ResponsesMessage message:
                    request.Messages.Add(new ChatMessage(ChatRole.User, message.Content.Select(p => p switch
                    {
                        ResponsesImage image => (ChatPart)ImagePart.FromUrl(image.Url),
                        ResponsesText text => new TextPart(text.Text),
                        _ => new TextPart(""),
                    }).ToList()));
                    break;
                case ResponsesFunctionCall call:
                    Append(request, ChatRole.Assistant, new ToolCallPart(call.CallId, call.Name, call.Arguments));
                    break;
                case ResponsesFunctionCallOutput output:
                    Append(request, ChatRole.Tool, new ToolResultPart(output.CallId, [new TextPart(output.Output)]));
                    break;
            }
        }

        foreach (var tool in source.Tools)
            request.Tools.Add(new ChatTool(tool.Name, tool.Description, tool.Parameters?.GetRawText() ?? """{"type":"object","properties":{}}"""));
        var disableParallel = source.ParallelToolCalls == false;
        request.ToolChoice = source.ToolChoice switch
        {
            ResponsesToolChoice.None => new ToolChoice(ToolChoiceKind.None),
            ResponsesToolChoice.Required => new ToolChoice(ToolChoiceKind.Required, null, disableParallel),
            ResponsesToolChoice.Function => new ToolChoice(ToolChoiceKind.Function, source.ToolChoiceFunction, disableParallel),
            _ => source.Tools.Count > 0 ? new ToolChoice(ToolChoiceKind.Auto, null, disableParallel) : null,
        };
        request.ResponseFormat = source.TextFormat switch
        {
            { Type: "json_object" } => new ResponseFormat(ResponseFormatKind.JsonObject),
            { Type: "json_schema" } f => new ResponseFormat(ResponseFormatKind.JsonSchema, f.Name, f.Schema?.GetRawText(), f.Strict == true),
            _ => null,
        };
        if (source.UntranslatableField is { } field) request.Untranslatable.Add(field);
        return request;
    }

    private static string Text(ResponsesMessage message) => string.Concat(message.Content.OfType<ResponsesText>().Select(t => t.Text));

    /// <summary>Adds a part to the last message when it has the same role (calls after the assistant's text, results together), else a new message.</summary>
    private static void Append(ChatRequest request, ChatRole role, ChatPart part)
    {
        if (request.Messages.Count > 0 && request.Messages[^1] is { } last && last.Role == role && (role != ChatRole.Assistant || part is ToolCallPart))
        {
            request.Messages[^1] = last with { Parts = [.. last.Parts, part] };
            return;
        }

        request.Messages.Add(new ChatMessage(role, [part]));
    }

    public void EncodeRequest(ChatRequest request, string upstreamModel, IBufferWriter<byte> output) =>
        throw new TranslationException("No channel is reached through the Responses wire; a channel with the Responses API gets the client's own request.");

    // ---- whole answers ----

    public ChatResponse DecodeResponse(ReadOnlySpan<byte> json)
    {
        using var document = WireJson.Parse(json);
        var root = document.RootElement;
        var response = new ChatResponse { Id = root.String("id") ?? "", Model = root.String("model") ?? "", Created = root.Long("created_at") ?? 0 };
        foreach (var item in root.Array("output"))
        {
            switch (item.String("type"))
            {
                case "message":
                    foreach (var part in item.Array("content"))
                        if ((part.String("text") ?? part.String("refusal")) is { } text) response.Content.Add(new TextPart(text));
                    break;
                case "function_call":
                    response.Content.Add(new ToolCallPart(item.String("call_id") ?? "", item.String("name") ?? "", item.String("arguments") ?? "{}"));
                    break;
            }
        }

        response.FinishReason = Finish(root);
        response.Usage = Usage(root.Property("usage"));
        return response;
    }

    private static FinishReason Finish(JsonElement response) => response.String("status") switch
    {
        "incomplete" => response.Property("incomplete_details")?.String("reason") == "content_filter" ? FinishReason.ContentFilter : FinishReason.Length,
        "failed" => FinishReason.Error,
        _ => response.Array("output").Any(o => o.String("type") == "function_call") ? FinishReason.ToolCalls : FinishReason.Stop,
    };

    private static TokenUsage? Usage(JsonElement? usage)
    {
        if (usage is not { ValueKind: JsonValueKind.Object } u) return null;
        var input = u.Long("input_tokens") ?? 0;
        var cached = u.Property("input_tokens_details")?.Long("cached_tokens") ?? 0;
        return new TokenUsage(input, Math.Min(cached, input), u.Long("output_tokens") ?? 0, IsEstimated: false);
    }

    public void EncodeResponse(ChatResponse response, string publicModel, IBufferWriter<byte> output)
    {
        var encoder = new ResponsesEncoder(response.Id, publicModel, response.Created, null);
        var calls = 0;
        foreach (var part in response.Content)
        {
            if (part is TextPart text) encoder.Text(null, text.Text);
            else if (part is ToolCallPart call)
            {
                encoder.ToolCallStart(null, calls, call.Id, call.Name);
                encoder.ToolCallArguments(null, calls++, call.ArgumentsJson);
            }
        }

        output.Write(encoder.WholeResponse(ToFinish(response.FinishReason), response.Usage ?? default, response.Usage?.ReasoningTokens ?? 0));
    }

    private static ResponsesFinish ToFinish(FinishReason reason) => reason switch
    {
        FinishReason.Length => ResponsesFinish.Length,
        FinishReason.ContentFilter => ResponsesFinish.ContentFilter,
        FinishReason.ToolCalls => ResponsesFinish.ToolCalls,
        _ => ResponsesFinish.Stop,
    };

    // ---- errors: OpenAI's shape ----

    public UpstreamError DecodeError(int status, ReadOnlySpan<byte> body) => OpenAIChatCodec.Instance.DecodeError(status, body);

    public byte[] EncodeError(UpstreamError error) => OpenAIChatCodec.Instance.EncodeError(error);

    // ---- streams ----

    public IStreamDecoder CreateStreamDecoder() => new StreamDecoder();

    public IStreamEncoder CreateStreamEncoder(StreamEncoding options) => new StreamEncoder(options);

    /// <summary>Responses events → canonical (metering a pass-through): text and argument deltas, the terminal event's usage.</summary>
    private sealed class StreamDecoder : IStreamDecoder
    {
        private readonly Dictionary<string, int> _calls = [];

        public void Decode(in SseEvent sseEvent, List<StreamEvent> output)
        {
            using var document = WireJson.ParseEvent(sseEvent);
            if (document is null) return;
            var root = document.RootElement;
            switch (root.String("type"))
            {
                case "response.created":
                    var created = root.Property("response");
                    output.Add(new MessageStarted(created?.String("id") ?? "", created?.String("model") ?? "", null));
                    break;
                case "response.output_text.delta" or "response.refusal.delta":
                    if (root.String("delta") is { Length: > 0 } text) output.Add(new TextDelta(text));
                    break;
                case "response.output_item.added" when root.Property("item") is { } item && item.String("type") == "function_call":
                    var index = _calls.Count;
                    _calls[item.String("id") ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture)] = index;
                    output.Add(new ToolCallStarted(index, item.String("call_id") ?? "", item.String("name") ?? ""));
                    break;
                case "response.function_call_arguments.delta":
                    if (root.String("item_id") is { } itemId && _calls.TryGetValue(itemId, out var call) && root.String("delta") is { Length: > 0 } fragment)
                        output.Add(new ToolCallArgumentsDelta(call, fragment));
                    break;
                case "response.completed" or "response.incomplete" or "response.failed":
                    var response = root.Property("response");
                    if (response is { } r)
                    {
                        output.Add(new MessageFinished(Finish(r)));
                        if (Usage(r.Property("usage")) is { } usage) output.Add(new UsageReported(usage));
                    }

                    output.Add(StreamCompleted.Instance);
                    break;
                case "error":
                    output.Add(new StreamFailed(500, root.String("code") ?? "server_error", root.String("message") ?? "The upstream reported an error."));
                    break;
            }
        }
    }

    /// <summary>Canonical events → the Responses event sequence.</summary>
    private sealed class StreamEncoder(StreamEncoding options) : IStreamEncoder
    {
        private ResponsesEncoder? _encoder;
        private FinishReason _finish = FinishReason.Stop;
        private TokenUsage? _usage;
        private bool _done;

        private ResponsesEncoder Started(IBufferWriter<byte> output, string id = "")
        {
            if (_encoder is not null) return _encoder;
            _encoder = new ResponsesEncoder(id.Length > 0 ? id : Guid.CreateVersion7().ToString("N"), options.PublicModel, options.Created, null);
            _encoder.Start(output);
            return _encoder;
        }

        public void Encode(StreamEvent streamEvent, IBufferWriter<byte> output)
        {
            switch (streamEvent)
            {
                case MessageStarted started:
                    if (started.Usage is { } initial) _usage = initial;
                    Started(output, started.Id);
                    break;
                case TextDelta text:
                    Started(output).Text(output, text.Text);
                    break;
                case ToolCallStarted call:
                    Started(output).ToolCallStart(output, call.ToolIndex, call.Id, call.Name);
                    break;
                case ToolCallArgumentsDelta arguments:
                    Started(output).ToolCallArguments(output, arguments.ToolIndex, arguments.JsonFragment);
                    break;
                case MessageFinished finished:
                    _finish = finished.Reason;
                    break;
                case UsageReported usage:
                    _usage = usage.Usage;
                    break;
                case StreamCompleted when !_done:
                    _done = true;
                    Started(output).Finish(output, ToFinish(_finish), _usage ?? default, _usage?.ReasoningTokens ?? 0);
                    break;
            }
        }

        public void EncodeError(UpstreamError error, IBufferWriter<byte> output) =>
            Started(output).Fail(output, error.Type ?? "upstream_interrupted", error.Message);
    }
}
