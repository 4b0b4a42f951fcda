using System.Buffers;
using System.Text;
using System.Text.Json;
using Portal.Relay.Tokens;

namespace Portal.Relay.Protocols.Responses;

/// <summary>Why an answer ended, in the terms every family maps to.</summary>
internal enum ResponsesFinish
{
    Stop,
    Length,
    ToolCalls,
    ContentFilter,
}

/// <summary>
/// Encodes a translated answer in the Responses API wire: the whole <c>response</c> object, or, streaming, the event
/// sequence OpenAI sends (<c>response.created</c>, <c>response.in_progress</c>, <c>response.output_item.added</c>,
/// <c>response.content_part.added</c>, <c>response.output_text.delta</c> … <c>response.output_text.done</c>,
/// <c>response.content_part.done</c>, <c>response.output_item.done</c>, <c>response.function_call_arguments.delta</c> /
/// <c>.done</c>, and <c>response.completed</c> or <c>response.incomplete</c>), each as <c>event:</c> + <c>data:</c> with a
/// <c>sequence_number</c>. A small state machine: it writes each event as its source arrives and keeps only the text of the
/// open items (the <c>.done</c> events and the final response repeat it, as OpenAI's do).
/// </summary>
/// <remarks>One encoder per request; not thread-safe.</remarks>
internal sealed class ResponsesEncoder
{
    private readonly string _id;
    private readonly string _model;
    private readonly long _createdAt;
    private readonly ResponsesRequest _request;

    private static readonly ResponsesRequest NoEcho = new() { Model = "", Input = [] };
    private readonly List<OutputItem> _output = [];
    private readonly Dictionary<int, OutputItem> _toolCalls = [];
    private OutputItem? _message;
    private long _sequence;
    private bool _started;

    /// <param name="requestId">The relay's request id (<c>req_…</c>); the response and item ids derive from it.</param>
    /// <param name="model">The model id the client asked for (answers never show the upstream's id).</param>
    /// <param name="createdAt">Unix seconds.</param>
    /// <param name="request">The decoded request, echoed in the response object as OpenAI does (defaults when unknown).</param>
    public ResponsesEncoder(string requestId, string model, long createdAt, ResponsesRequest? request)
    {
        var suffix = requestId.StartsWith("req_", StringComparison.Ordinal) ? requestId[4..] : requestId;
        _id = "resp_" + suffix;
        _model = model;
        _createdAt = createdAt;
        _request = request ?? NoEcho;
        ItemSuffix = suffix;
    }

    private string ItemSuffix { get; }

    public string ResponseId => _id;

    /// <summary>Streaming: <c>response.created</c> and <c>response.in_progress</c>.</summary>
    public void Start(IBufferWriter<byte> output)
    {
        if (_started) return;
        _started = true;
        WriteEvent(output, "response.created", w => WriteResponseProperty(w, "in_progress", null, null));
        WriteEvent(output, "response.in_progress", w => WriteResponseProperty(w, "in_progress", null, null));
    }

    /// <summary>A piece of the assistant's text; opens the message item (and its part) on the first piece.</summary>
    public void Text(IBufferWriter<byte>? output, string delta)
    {
        if (delta.Length == 0) return;
        if (_message is null)
        {
            _message = new OutputItem(OutputKind.Message, $"msg_{ItemSuffix}_{_output.Count}", _output.Count, null, null);
            _output.Add(_message);
            if (output is not null)
            {
                WriteEvent(output, "response.output_item.added", w =>
                {
                    w.WriteNumber("output_index", _message.Index);
                    w.WritePropertyName("item");
                    WriteItem(w, _message, done: false);
                });
                WriteEvent(output, "response.content_part.added", w =>
                {
                    WritePartHeader(w, _message);
                    w.WritePropertyName("part");
                    WriteTextPart(w, "");
                });
            }
        }

        _message.Text.Append(delta);
        if (output is null) return;
        WriteEvent(output, "response.output_text.delta", w =>
        {
            WritePartHeader(w, _message);
            w.WriteString("delta", delta);
            w.WriteStartArray("logprobs");
            w.WriteEndArray();
        });
    }

    /// <summary>The model starts calling a function (<paramref name="index"/> is the source family's tool call index).</summary>
    public void ToolCallStart(IBufferWriter<byte>? output, int index, string? callId, string name)
    {
        CloseMessage(output);
        if (_toolCalls.ContainsKey(index)) return;
        var item = new OutputItem(OutputKind.FunctionCall, $"fc_{ItemSuffix}_{_output.Count}", _output.Count, string.IsNullOrEmpty(callId) ? $"call_{ItemSuffix}_{index}" : callId, name);
        _toolCalls[index] = item;
        _output.Add(item);
        if (output is null) return;
        WriteEvent(output, "response.output_item.added", w =>
        {
            w.WriteNumber("output_index", item.Index);
            w.WritePropertyName("item");
            WriteItem(w, item, done: false);
        });
    }

    /// <summary>A piece of a function call's JSON arguments.</summary>
    public void ToolCallArguments(IBufferWriter<byte>? output, int index, string delta)
    {
        if (!_toolCalls.TryGetValue(index, out var item) || delta.Length == 0) return;
        item.Text.Append(delta);
        if (output is null) return;
        WriteEvent(output, "response.function_call_arguments.delta", w =>
        {
            w.WriteString("item_id", item.Id);
            w.WriteNumber("output_index", item.Index);
            w.WriteString("delta", delta);
        });
    }

    /// <summary>
    /// The answer is over: closes the open items and writes <c>response.completed</c> (or <c>response.incomplete</c> when
    /// cut by the token limit or a content filter), with the usage.
    /// </summary>
    public void Finish(IBufferWriter<byte> output, ResponsesFinish finish, TokenUsage usage, long reasoningTokens = 0)
    {
        CloseMessage(output);
        foreach (var item in _output)
        {
            if (item.Kind != OutputKind.FunctionCall || item.Closed) continue;
            item.Closed = true;
            var arguments = item.Text.ToString();
            WriteEvent(output, "response.function_call_arguments.done", w =>
            {
                w.WriteString("item_id", item.Id);
                w.WriteNumber("output_index", item.Index);
                w.WriteString("name", item.Name);
                w.WriteString("arguments", arguments);
            });
            WriteEvent(output, "response.output_item.done", w =>
            {
                w.WriteNumber("output_index", item.Index);
                w.WritePropertyName("item");
                WriteItem(w, item, done: true);
            });
        }

        var (status, reason) = Status(finish);
        WriteEvent(output, status == "completed" ? "response.completed" : "response.incomplete", w => WriteResponseProperty(w, status, reason, (usage, reasoningTokens)));
    }

    /// <summary>
    /// Streaming: the upstream broke off after the first byte, or failed. Writes <c>response.failed</c> with the error,
    /// OpenAI's terminal event for a response that did not finish.
    /// </summary>
    public void Fail(IBufferWriter<byte> output, string code, string message)
    {
        WriteEvent(output, "response.failed", w =>
        {
            w.WritePropertyName("response");
            WriteResponse(w, "failed", null, null, (code, message));
        });
    }

    /// <summary>The whole (non-streaming) response object after <see cref="Text"/> / tool calls were fed without an output.</summary>
    public byte[] WholeResponse(ResponsesFinish finish, TokenUsage usage, long reasoningTokens = 0)
    {
        foreach (var item in _output) item.Closed = true;
        var (status, reason) = Status(finish);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteResponse(writer, status, reason, (usage, reasoningTokens), null);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };

    private static (string Status, string? Reason) Status(ResponsesFinish finish) => finish switch
    {
        ResponsesFinish.Length => ("incomplete", "max_output_tokens"),
        ResponsesFinish.ContentFilter => ("incomplete", "content_filter"),
        _ => ("completed", null),
    };

    private void CloseMessage(IBufferWriter<byte>? output)
    {
        if (_message is null) return;
        var message = _message;
        _message = null;
        message.Closed = true;
        if (output is null) return;
        var text = message.Text.ToString();
        WriteEvent(output, "response.output_text.done", w =>
        {
            WritePartHeader(w, message);
            w.WriteString("text", text);
            w.WriteStartArray("logprobs");
            w.WriteEndArray();
        });
        WriteEvent(output, "response.content_part.done", w =>
        {
            WritePartHeader(w, message);
            w.WritePropertyName("part");
            WriteTextPart(w, text);
        });
        WriteEvent(output, "response.output_item.done", w =>
        {
            w.WriteNumber("output_index", message.Index);
            w.WritePropertyName("item");
            WriteItem(w, message, done: true);
        });
    }

    private void WriteEvent(IBufferWriter<byte> output, string type, Action<Utf8JsonWriter> body)
    {
        Write(output, "event: "u8);
        Write(output, Encoding.UTF8.GetBytes(type));
        Write(output, "\ndata: "u8);
        using (var writer = new Utf8JsonWriter(output, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WriteNumber("sequence_number", _sequence++);
            body(writer);
            writer.WriteEndObject();
        }

        Write(output, "\n\n"u8);
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private static void WritePartHeader(Utf8JsonWriter w, OutputItem item)
    {
        w.WriteString("item_id", item.Id);
        w.WriteNumber("output_index", item.Index);
        w.WriteNumber("content_index", 0);
    }

    private static void WriteTextPart(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "output_text");
        w.WriteStartArray("annotations");
        w.WriteEndArray();
        w.WriteStartArray("logprobs");
        w.WriteEndArray();
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    private static void WriteItem(Utf8JsonWriter w, OutputItem item, bool done)
    {
        w.WriteStartObject();
        w.WriteString("id", item.Id);
        if (item.Kind == OutputKind.Message)
        {
            w.WriteString("type", "message");
            w.WriteString("status", done ? "completed" : "in_progress");
            w.WriteStartArray("content");
            if (done) WriteTextPart(w, item.Text.ToString());
            w.WriteEndArray();
            w.WriteString("role", "assistant");
        }
        else
        {
            w.WriteString("type", "function_call");
            w.WriteString("status", done ? "completed" : "in_progress");
            w.WriteString("arguments", done ? item.Text.ToString() : "");
            w.WriteString("call_id", item.CallId);
            w.WriteString("name", item.Name);
        }

        w.WriteEndObject();
    }

    private void WriteResponseProperty(Utf8JsonWriter w, string status, string? incompleteReason, (TokenUsage Usage, long Reasoning)? usage)
    {
        w.WritePropertyName("response");
        WriteResponse(w, status, incompleteReason, usage, null);
    }

    private void WriteResponse(Utf8JsonWriter w, string status, string? incompleteReason, (TokenUsage Usage, long Reasoning)? usage, (string Code, string Message)? error)
    {
        var request = _request;
        w.WriteStartObject();
        w.WriteString("id", _id);
        w.WriteString("object", "response");
        w.WriteNumber("created_at", _createdAt);
        w.WriteString("status", status);
        w.WriteBoolean("background", false);
        if (error is { } e)
        {
            w.WriteStartObject("error");
            w.WriteString("code", e.Code);
            w.WriteString("message", e.Message);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("error");
        }

        if (incompleteReason is null)
        {
            w.WriteNull("incomplete_details");
        }
        else
        {
            w.WriteStartObject("incomplete_details");
            w.WriteString("reason", incompleteReason);
            w.WriteEndObject();
        }

        if (request.Instructions is null) w.WriteNull("instructions");
        else w.WriteString("instructions", request.Instructions);
        if (request.MaxOutputTokens is { } max) w.WriteNumber("max_output_tokens", max);
        else w.WriteNull("max_output_tokens");
        w.WriteString("model", _model);
        w.WriteStartArray("output");
        if (status != "in_progress")
        {
            foreach (var item in _output) WriteItem(w, item, done: true);
        }

        w.WriteEndArray();
        w.WriteBoolean("parallel_tool_calls", request.ParallelToolCalls ?? true);
        w.WriteNull("previous_response_id");
        w.WriteStartObject("reasoning");
        if (request.ReasoningEffort is null) w.WriteNull("effort");
        else w.WriteString("effort", request.ReasoningEffort);
        w.WriteNull("summary");
        w.WriteEndObject();
        w.WriteBoolean("store", false);
        if (request.Temperature is { } temperature) w.WriteNumber("temperature", temperature);
        else w.WriteNumber("temperature", 1.0);
        w.WriteStartObject("text");
        w.WriteStartObject("format");
        w.WriteString("type", request.TextFormat?.Type ?? "text");
        if (request.TextFormat is { Type: "json_schema" } schema)
        {
            w.WriteString("name", schema.Name);
            w.WritePropertyName("schema");
            schema.Schema!.Value.WriteTo(w);
            if (schema.Strict is { } strict) w.WriteBoolean("strict", strict);
        }

        w.WriteEndObject();
        w.WriteEndObject();
        switch (request.ToolChoice)
        {
            case ResponsesToolChoice.Function:
                w.WriteStartObject("tool_choice");
                w.WriteString("type", "function");
                w.WriteString("name", request.ToolChoiceFunction);
                w.WriteEndObject();
                break;
            default:
                w.WriteString("tool_choice", request.ToolChoice.ToString().ToLowerInvariant());
                break;
        }

        w.WriteStartArray("tools");
        foreach (var tool in request.Tools)
        {
            w.WriteStartObject();
            w.WriteString("type", "function");
            w.WriteString("name", tool.Name);
            if (tool.Description is null) w.WriteNull("description");
            else w.WriteString("description", tool.Description);
            w.WritePropertyName("parameters");
            if (tool.Parameters is { } parameters) parameters.WriteTo(w);
            else w.WriteNullValue();
            w.WriteBoolean("strict", tool.Strict ?? true);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (request.TopP is { } topP) w.WriteNumber("top_p", topP);
        else w.WriteNumber("top_p", 1.0);
        w.WriteString("truncation", "disabled");
        if (usage is { } u)
        {
            w.WriteStartObject("usage");
            w.WriteNumber("input_tokens", u.Usage.PromptTokens);
            w.WriteStartObject("input_tokens_details");
            w.WriteNumber("cached_tokens", u.Usage.CachedPromptTokens);
            w.WriteEndObject();
            w.WriteNumber("output_tokens", u.Usage.CompletionTokens);
            w.WriteStartObject("output_tokens_details");
            w.WriteNumber("reasoning_tokens", u.Reasoning);
            w.WriteEndObject();
            w.WriteNumber("total_tokens", u.Usage.TotalTokens);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("usage");
        }

        if (request.User is null) w.WriteNull("user");
        else w.WriteString("user", request.User);
        w.WriteStartObject("metadata");
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private enum OutputKind
    {
        Message,
        FunctionCall,
    }

    private sealed class OutputItem(OutputKind kind, string id, int index, string? callId, string? name)
    {
        public OutputKind Kind { get; } = kind;

        public string Id { get; } = id;

        public int Index { get; } = index;

        public string? CallId { get; } = callId;

        public string? Name { get; } = name;

        public StringBuilder Text { get; } = new();

        public bool Closed { get; set; }
    }
}
