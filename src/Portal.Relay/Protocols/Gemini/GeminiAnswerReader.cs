using System.Text.Json;
using Portal.Relay.Tokens;

namespace Portal.Relay.Protocols.Gemini;

/// <summary>What one Gemini answer (or one streamed chunk of it) says, in the order it says it.</summary>
internal abstract record GeminiSignal;

/// <summary>A piece of the answer's text (thought summaries excluded).</summary>
internal sealed record GeminiTextSignal(string Text) : GeminiSignal;

/// <summary>A whole function call (Gemini never streams arguments): its index among the answer's calls, id, name and JSON arguments.</summary>
internal sealed record GeminiCallSignal(int Index, string Id, string Name, string ArgumentsJson) : GeminiSignal;

/// <summary>The answer is over, with the finish reason in OpenAI's words.</summary>
internal sealed record GeminiFinishSignal(string FinishReason) : GeminiSignal;

/// <summary>
/// Reads Gemini's <c>GenerateContentResponse</c> (whole, or one <c>alt=sse</c> chunk at a time) into signals. Stateful for
/// a stream: numbers function calls across chunks, remembers the latest <c>usageMetadata</c> (Gemini repeats it, growing,
/// on every chunk) and emits the finish only once. One reader per answer; not thread-safe.
/// </summary>
internal sealed class GeminiAnswerReader
{
    private readonly string _callIdPrefix;
    private int _calls;
    private bool _finished;

    /// <param name="callIdPrefix">Prefix of the tool call ids made up for calls Gemini sends without an id.</param>
    public GeminiAnswerReader(string callIdPrefix) => _callIdPrefix = callIdPrefix;

    /// <summary>The latest usage Gemini reported, if any.</summary>
    public TokenUsage? Usage { get; private set; }

    /// <summary>The prompt was blocked (<c>promptFeedback.blockReason</c>), so there is no answer.</summary>
    public string? BlockReason { get; private set; }

    /// <summary>True once a finish reason arrived.</summary>
    public bool Finished => _finished;

    /// <summary>The signals of one JSON document (a whole answer or a chunk); null when it is not Gemini's answer shape.</summary>
    public IReadOnlyList<GeminiSignal>? Read(ReadOnlySpan<byte> json)
    {
        GeminiResponse? response;
        try
        {
            response = JsonSerializer.Deserialize(json, GeminiJsonContext.Default.GeminiResponse);
        }
        catch (JsonException)
        {
            return null;
        }

        if (response is null) return null;
        if (response.UsageMetadata is { } usage) Usage = GeminiMapping.Usage(usage);
        if (response.PromptFeedback?.BlockReason is { } blocked) BlockReason = blocked;

        var signals = new List<GeminiSignal>();
        var candidate = response.Candidates?.FirstOrDefault();
        foreach (var part in candidate?.Content?.Parts ?? [])
        {
            if (part.Thought == true) continue;
            if (part.FunctionCall is { } call)
            {
                var index = _calls++;
                var arguments = call.Args is { ValueKind: JsonValueKind.Object } args ? args.GetRawText() : "{}";
                signals.Add(new GeminiCallSignal(index, string.IsNullOrEmpty(call.Id) ? $"{_callIdPrefix}{index}" : call.Id, call.Name, arguments));
            }
            else if (part.Text is { Length: > 0 } text)
            {
                signals.Add(new GeminiTextSignal(text));
            }
        }

        if (!_finished && (candidate?.FinishReason is { } reason && reason != "FINISH_REASON_UNSPECIFIED" || BlockReason is not null))
        {
            _finished = true;
            signals.Add(new GeminiFinishSignal(BlockReason is not null ? "content_filter" : GeminiMapping.FinishReason(candidate!.FinishReason, _calls > 0)));
        }

        return signals;
    }
}
