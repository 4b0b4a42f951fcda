using System.Text.Json;
using Portal.Relay.Tokens;

namespace Portal.Relay.Protocols.Gemini;

/// <summary>How Gemini's usage, finish reasons and errors read in the relay's terms.</summary>
internal static class GeminiMapping
{
    /// <summary>
    /// Billed usage: input = <c>promptTokenCount</c> (+ <c>toolUsePromptTokenCount</c>), of which
    /// <c>cachedContentTokenCount</c> were read from the cache; output = <c>candidatesTokenCount</c> +
    /// <c>thoughtsTokenCount</c> (Google bills thinking as output).
    /// </summary>
    public static TokenUsage Usage(GeminiUsage usage)
    {
        var prompt = usage.PromptTokenCount + usage.ToolUsePromptTokenCount;
        return new TokenUsage(prompt, Math.Min(usage.CachedContentTokenCount, prompt), usage.CandidatesTokenCount + usage.ThoughtsTokenCount, IsEstimated: false)
        {
            ReasoningTokens = usage.ThoughtsTokenCount,
        };
    }

    /// <summary>The finish reason in OpenAI's words (<c>stop</c>, <c>length</c>, <c>tool_calls</c>, <c>content_filter</c>).</summary>
    public static string FinishReason(string? geminiReason, bool calledFunction) => geminiReason switch
    {
        "MAX_TOKENS" => "length",
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" or "IMAGE_SAFETY" or "IMAGE_PROHIBITED_CONTENT" => "content_filter",
        _ when calledFunction => "tool_calls",
        _ => "stop",
    };

    /// <summary>Google's error message and status word from an error body, when it is one.</summary>
    public static (string Message, string? Status)? ReadError(ReadOnlySpan<byte> body)
    {
        try
        {
            var error = JsonSerializer.Deserialize(body, GeminiJsonContext.Default.GeminiErrorBody)?.Error;
            return error?.Message is { } message ? (message.Trim(), error.Status) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
