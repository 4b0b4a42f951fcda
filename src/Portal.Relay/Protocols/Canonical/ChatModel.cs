using Portal.Relay.Tokens;

namespace Portal.Relay.Protocols.Canonical;

/// <summary>
/// The canonical chat model every wire family translates through (DESIGN §6a): a family decodes its requests,
/// responses and stream events into these types and encodes them back, so adding a family is one decoder/encoder pair.
/// Only what changes the answer is modelled; a field a family cannot express makes its encoder refuse the request
/// (<see cref="TranslationException"/>), never drop it silently.
/// </summary>
public enum ChatRole
{
    User,
    Assistant,

    /// <summary>A message that carries tool results (OpenAI's <c>tool</c> role; Anthropic puts them in a user message).</summary>
    Tool,
}

/// <summary>One typed part of a message.</summary>
public abstract record ChatPart;

/// <summary>Text. <paramref name="CacheControl"/> is Anthropic's prompt-cache breakpoint (<c>{"type":"ephemeral"}</c>), kept for Anthropic upstreams.</summary>
public sealed record TextPart(string Text, bool CacheControl = false) : ChatPart;

/// <summary>An image, either an https URL or inline data (<paramref name="MediaType"/> + base64 <paramref name="Base64Data"/>).</summary>
public sealed record ImagePart(string? Url, string? MediaType, string? Base64Data) : ChatPart
{
    /// <summary>The image as OpenAI expects it: the URL, or a <c>data:</c> URL of the inline bytes.</summary>
    public string ToUrl() => Url ?? $"data:{MediaType};base64,{Base64Data}";

    /// <summary>Parses <c>data:image/png;base64,…</c> into an inline image, anything else into a URL image.</summary>
    public static ImagePart FromUrl(string url)
    {
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = url.IndexOf(',');
            var header = comma > 5 ? url[5..comma] : "";
            if (comma > 0 && header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
                return new ImagePart(null, header[..^";base64".Length], url[(comma + 1)..]);
        }

        return new ImagePart(url, null, null);
    }
}

/// <summary>The assistant calls a tool. <paramref name="ArgumentsJson"/> is the arguments object as JSON text.</summary>
public sealed record ToolCallPart(string Id, string Name, string ArgumentsJson) : ChatPart;

/// <summary>The result of a tool call, sent back by the client: text (and possibly images) parts.</summary>
public sealed record ToolResultPart(string ToolCallId, IReadOnlyList<ChatPart> Content, bool IsError = false) : ChatPart;

/// <summary>
/// The model's reasoning (Anthropic <c>thinking</c>). Kept so a same-family round trip loses nothing; families without
/// reasoning in their wire format leave it out of requests (it does not change the answer) and never produce it.
/// </summary>
public sealed record ReasoningPart(string Text, string? Signature) : ChatPart;

public sealed record ChatMessage(ChatRole Role, IReadOnlyList<ChatPart> Parts);

/// <summary>A function the model may call. <paramref name="ParametersJson"/> is the JSON schema as JSON text.</summary>
public sealed record ChatTool(string Name, string? Description, string ParametersJson);

public enum ToolChoiceKind
{
    Auto,
    None,

    /// <summary>Some tool must be called (OpenAI <c>required</c>, Anthropic <c>any</c>).</summary>
    Required,

    /// <summary>The named tool must be called.</summary>
    Function,
}

public sealed record ToolChoice(ToolChoiceKind Kind, string? Name = null, bool DisableParallel = false);

public enum ResponseFormatKind
{
    Text,
    JsonObject,
    JsonSchema,
}

public sealed record ResponseFormat(ResponseFormatKind Kind, string? SchemaName = null, string? SchemaJson = null, bool Strict = false);

/// <summary>A chat request in canonical form.</summary>
public sealed class ChatRequest
{
    public required string Model { get; set; }

    /// <summary>System instructions, in order (OpenAI system/developer messages, Anthropic's <c>system</c>, Gemini's <c>systemInstruction</c>).</summary>
    public List<TextPart> System { get; } = [];

    public List<ChatMessage> Messages { get; } = [];

    public List<ChatTool> Tools { get; } = [];

    public ToolChoice? ToolChoice { get; set; }

    public int? MaxOutputTokens { get; set; }

    public double? Temperature { get; set; }

    public double? TopP { get; set; }

    /// <summary>Anthropic / Gemini only.</summary>
    public int? TopK { get; set; }

    public List<string> Stop { get; } = [];

    public ResponseFormat? ResponseFormat { get; set; }

    public bool Stream { get; set; }

    /// <summary>Extended thinking budget in tokens (Anthropic <c>thinking.budget_tokens</c>); null = off.</summary>
    public int? ThinkingBudgetTokens { get; set; }

    /// <summary>An end-user id for the upstream's abuse monitoring (OpenAI <c>user</c>, Anthropic <c>metadata.user_id</c>).</summary>
    public string? User { get; set; }

    /// <summary>
    /// Fields the client set that only its own family can express (OpenAI's <c>n</c> &gt; 1, <c>logprobs</c>, penalties …):
    /// an encoder of another family refuses the request naming the first.
    /// </summary>
    public List<string> Untranslatable { get; } = [];

    /// <summary>True when some message carries an image (for the model's vision flag).</summary>
    public bool HasImages => Messages.Any(m => m.Parts.Any(p => p is ImagePart || (p is ToolResultPart r && r.Content.Any(c => c is ImagePart))));
}

public enum FinishReason
{
    Stop,
    Length,
    ToolCalls,
    ContentFilter,

    /// <summary>A stop sequence matched (Anthropic <c>stop_sequence</c>; OpenAI reports it as <c>stop</c>).</summary>
    StopSequence,

    /// <summary>The upstream gave up (Gemini's <c>OTHER</c>/<c>MALFORMED_FUNCTION_CALL</c>, a failed Responses answer).</summary>
    Error,
}

/// <summary>A whole (non-streamed) answer.</summary>
public sealed class ChatResponse
{
    public required string Id { get; init; }

    public required string Model { get; init; }

    /// <summary>The assistant's parts in order: reasoning, text, tool calls.</summary>
    public List<ChatPart> Content { get; } = [];

    public FinishReason FinishReason { get; set; } = FinishReason.Stop;

    public string? StopSequence { get; set; }

    public TokenUsage? Usage { get; set; }

    /// <summary>Unix seconds, for families whose answers carry a creation time.</summary>
    public long Created { get; init; }
}

/// <summary>
/// Canonical stream events: what every streaming decoder emits and every streaming encoder consumes. Text and tool
/// calls are indexed by their position among the answer's tool calls; a family's encoder turns them into its own
/// blocks / choices / items.
/// </summary>
public abstract record StreamEvent;

/// <summary>The answer begins. <paramref name="Usage"/> is what the upstream knows at the start (Anthropic reports input tokens here).</summary>
public sealed record MessageStarted(string Id, string Model, TokenUsage? Usage) : StreamEvent;

public sealed record TextDelta(string Text) : StreamEvent;

public sealed record ReasoningDelta(string Text, string? Signature = null) : StreamEvent;

/// <summary>A tool call begins (<paramref name="ToolIndex"/> counts tool calls from 0 in this answer).</summary>
public sealed record ToolCallStarted(int ToolIndex, string Id, string Name) : StreamEvent;

public sealed record ToolCallArgumentsDelta(int ToolIndex, string JsonFragment) : StreamEvent;

/// <summary>Generation finished for <paramref name="Reason"/>; usage may still follow.</summary>
public sealed record MessageFinished(FinishReason Reason, string? StopSequence = null) : StreamEvent;

/// <summary>Usage so far (the last one wins). Output tokens are cumulative.</summary>
public sealed record UsageReported(TokenUsage Usage) : StreamEvent;

/// <summary>The upstream reported an error inside the stream.</summary>
public sealed record StreamFailed(int Status, string Type, string Message) : StreamEvent;

/// <summary>The upstream's stream ended normally (<c>[DONE]</c>, <c>message_stop</c>, end of body).</summary>
public sealed record StreamCompleted : StreamEvent
{
    public static StreamCompleted Instance { get; } = new();
}
