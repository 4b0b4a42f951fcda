using System.Buffers;
using System.Text.Json;

namespace Portal.Relay.Protocols.Responses;

/// <summary>
/// Reads an OpenAI chat completions answer (whole, or chunk by chunk) into a <see cref="ResponsesEncoder"/>: content
/// becomes the message's text, <c>tool_calls</c> become function calls (arguments streamed as they come), and the
/// <c>finish_reason</c> is kept for <see cref="ResponsesEncoder.Finish"/>. Usage is metered by the relay's chat meter
/// (<c>StreamMeter</c>), which sees the same events.
/// </summary>
internal sealed class ChatToResponses(ResponsesEncoder encoder)
{
    private readonly HashSet<int> _startedCalls = [];

    /// <summary>The finish reason seen so far (Stop until one arrives).</summary>
    public ResponsesFinish Finish { get; private set; } = ResponsesFinish.Stop;

    /// <summary>True once a choice carried a finish reason.</summary>
    public bool Finished { get; private set; }

    public ResponsesEncoder Encoder => encoder;

    /// <summary>Feeds one chat JSON document (a <c>chat.completion</c> or a <c>chat.completion.chunk</c>); <paramref name="output"/> null for a whole answer.</summary>
    /// <returns>False when the document is not a chat answer (it is then ignored).</returns>
    public bool Feed(ReadOnlySpan<byte> json, IBufferWriter<byte>? output)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException)
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array) return false;
            foreach (var choice in choices.EnumerateArray())
            {
                if (choice.ValueKind != JsonValueKind.Object || (choice.TryGetProperty("index", out var index) && index.ValueKind == JsonValueKind.Number && index.GetInt32() != 0)) continue;
                var message = choice.TryGetProperty("delta", out var delta) ? delta : choice.TryGetProperty("message", out var whole) ? whole : default;
                if (message.ValueKind == JsonValueKind.Object) FeedMessage(message, output);
                if (choice.TryGetProperty("finish_reason", out var reason) && reason.ValueKind == JsonValueKind.String)
                {
                    Finished = true;
                    Finish = reason.GetString() switch
                    {
                        "length" => ResponsesFinish.Length,
                        "tool_calls" or "function_call" => ResponsesFinish.ToolCalls,
                        "content_filter" => ResponsesFinish.ContentFilter,
                        _ => ResponsesFinish.Stop,
                    };
                }
            }

            return true;
        }
    }

    private void FeedMessage(JsonElement message, IBufferWriter<byte>? output)
    {
        if (message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String) encoder.Text(output, content.GetString()!);
        if (message.TryGetProperty("refusal", out var refusal) && refusal.ValueKind == JsonValueKind.String) encoder.Text(output, refusal.GetString()!);
        if (!message.TryGetProperty("tool_calls", out var calls) || calls.ValueKind != JsonValueKind.Array) return;
        var position = 0;
        foreach (var call in calls.EnumerateArray())
        {
            var index = call.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt32() : position;
            position++;
            var function = call.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : default;
            if (!_startedCalls.Contains(index))
            {
                var name = function.ValueKind == JsonValueKind.Object && function.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                if (name is null) continue;
                var id = call.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
                encoder.ToolCallStart(output, index, id, name);
                _startedCalls.Add(index);
            }

            if (function.ValueKind == JsonValueKind.Object && function.TryGetProperty("arguments", out var arguments) && arguments.ValueKind == JsonValueKind.String)
                encoder.ToolCallArguments(output, index, arguments.GetString()!);
        }
    }
}
