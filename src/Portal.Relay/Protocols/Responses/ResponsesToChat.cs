using System.Buffers;
using System.Text.Json;

namespace Portal.Relay.Protocols.Responses;

/// <summary>
/// A Responses request as an OpenAI chat completions body: what a channel without the Responses API (an OpenAI-compatible
/// one without the flag, Azure, and, through the relay's chat translation, Anthropic, Gemini and the simulators) is sent.
/// <c>instructions</c> and <c>system</c> / <c>developer</c> messages become system messages; <c>function_call</c> items
/// become the assistant's <c>tool_calls</c> (consecutive calls, and the text just before them, in one assistant message);
/// <c>function_call_output</c> items become <c>tool</c> messages; <c>reasoning</c> items are left out.
/// </summary>
internal static class ResponsesToChat
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the chat body; the caller checked <see cref="ResponsesRequest.UntranslatableField"/> first.</summary>
    public static void Encode(ResponsesRequest request, string model, IBufferWriter<byte> output)
    {
        using var w = new Utf8JsonWriter(output, WriterOptions);
        w.WriteStartObject();
        w.WriteString("model", model);
        w.WriteStartArray("messages");
        if (request.Instructions is { } instructions) WriteText(w, "system", instructions);
        WriteMessages(w, request.Input);
        w.WriteEndArray();
        if (request.Stream)
        {
            // The relay meters from the usage chunk; the client sees only the translated events.
            w.WriteBoolean("stream", true);
            w.WriteStartObject("stream_options");
            w.WriteBoolean("include_usage", true);
            w.WriteEndObject();
        }

        if (request.MaxOutputTokens is { } max) w.WriteNumber("max_tokens", max);
        if (request.Temperature is { } temperature) w.WriteNumber("temperature", temperature);
        if (request.TopP is { } topP) w.WriteNumber("top_p", topP);
        if (request.User is { } user) w.WriteString("user", user);
        if (request.Tools.Count > 0)
        {
            w.WriteStartArray("tools");
            foreach (var tool in request.Tools)
            {
                w.WriteStartObject();
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", tool.Name);
                if (tool.Description is { } description) w.WriteString("description", description);
                if (tool.Parameters is { } parameters)
                {
                    w.WritePropertyName("parameters");
                    parameters.WriteTo(w);
                }

                if (tool.Strict is { } strict) w.WriteBoolean("strict", strict);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            switch (request.ToolChoice)
            {
                case ResponsesToolChoice.None:
                    w.WriteString("tool_choice", "none");
                    break;
                case ResponsesToolChoice.Required:
                    w.WriteString("tool_choice", "required");
                    break;
                case ResponsesToolChoice.Function:
                    w.WriteStartObject("tool_choice");
                    w.WriteString("type", "function");
                    w.WriteStartObject("function");
                    w.WriteString("name", request.ToolChoiceFunction);
                    w.WriteEndObject();
                    w.WriteEndObject();
                    break;
            }

            if (request.ParallelToolCalls is { } parallel) w.WriteBoolean("parallel_tool_calls", parallel);
        }

        if (request.TextFormat is { } format)
        {
            w.WriteStartObject("response_format");
            w.WriteString("type", format.Type);
            if (format.Type == "json_schema")
            {
                w.WriteStartObject("json_schema");
                w.WriteString("name", format.Name);
                w.WritePropertyName("schema");
                format.Schema!.Value.WriteTo(w);
                if (format.Strict is { } strict) w.WriteBoolean("strict", strict);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteMessages(Utf8JsonWriter w, IReadOnlyList<ResponsesItem> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            switch (items[i])
            {
                case ResponsesMessage { Role: "assistant" } message when i + 1 < items.Count && items[i + 1] is ResponsesFunctionCall:
                    i = WriteAssistantCalls(w, message, items, i + 1) - 1;
                    break;
                case ResponsesMessage message:
                    WriteMessage(w, message);
                    break;
                case ResponsesFunctionCall:
                    i = WriteAssistantCalls(w, null, items, i) - 1;
                    break;
                case ResponsesFunctionCallOutput output:
                    w.WriteStartObject();
                    w.WriteString("role", "tool");
                    w.WriteString("tool_call_id", output.CallId);
                    w.WriteString("content", output.Output);
                    w.WriteEndObject();
                    break;
            }
        }
    }

    /// <summary>One assistant message with the text (if any) and the function calls from <paramref name="start"/>; returns the index after them.</summary>
    private static int WriteAssistantCalls(Utf8JsonWriter w, ResponsesMessage? text, IReadOnlyList<ResponsesItem> items, int start)
    {
        w.WriteStartObject();
        w.WriteString("role", "assistant");
        var content = text is null ? null : string.Concat(text.Content.OfType<ResponsesText>().Select(t => t.Text));
        if (string.IsNullOrEmpty(content)) w.WriteNull("content");
        else w.WriteString("content", content);
        w.WriteStartArray("tool_calls");
        var i = start;
        for (; i < items.Count && items[i] is ResponsesFunctionCall call; i++)
        {
            w.WriteStartObject();
            w.WriteString("id", call.CallId);
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", call.Name);
            w.WriteString("arguments", call.Arguments);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        return i;
    }

    private static void WriteMessage(Utf8JsonWriter w, ResponsesMessage message)
    {
        var role = message.Role is "developer" or "system" ? "system" : message.Role;
        if (message.Content.All(p => p is ResponsesText) || role != "user")
        {
            // System and assistant messages take text only (an assistant's earlier output is text).
            WriteText(w, role, string.Concat(message.Content.OfType<ResponsesText>().Select(t => t.Text)));
            return;
        }

        w.WriteStartObject();
        w.WriteString("role", role);
        w.WriteStartArray("content");
        foreach (var part in message.Content)
        {
            w.WriteStartObject();
            switch (part)
            {
                case ResponsesText text:
                    w.WriteString("type", "text");
                    w.WriteString("text", text.Text);
                    break;
                case ResponsesImage image:
                    w.WriteString("type", "image_url");
                    w.WriteStartObject("image_url");
                    w.WriteString("url", image.Url);
                    if (image.Detail is { } detail) w.WriteString("detail", detail);
                    w.WriteEndObject();
                    break;
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteText(Utf8JsonWriter w, string role, string text)
    {
        w.WriteStartObject();
        w.WriteString("role", role);
        w.WriteString("content", text);
        w.WriteEndObject();
    }
}
