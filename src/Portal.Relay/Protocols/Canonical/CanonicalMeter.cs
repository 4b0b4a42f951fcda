using Portal.Relay.Tokens;

namespace Portal.Relay.Protocols.Canonical;

/// <summary>
/// Meters a stream from its canonical events: the last usage the upstream reported and, in case none comes, the
/// generated text for a tokenizer count. One per request; the text lives only in memory for the request.
/// </summary>
public sealed class CanonicalMeter
{
    private readonly System.Text.StringBuilder _text = new();
    private TokenUsage? _usage;

    /// <summary>True once the upstream's stream ended normally.</summary>
    public bool Completed { get; private set; }

    public void Observe(StreamEvent streamEvent)
    {
        switch (streamEvent)
        {
            case MessageStarted { Usage: { } usage }:
                _usage = usage;
                break;
            case UsageReported reported:
                _usage = reported.Usage;
                break;
            case TextDelta text:
                _text.Append(text.Text);
                break;
            case ReasoningDelta reasoning:
                _text.Append(reasoning.Text);
                break;
            case ToolCallStarted call:
                _text.Append(call.Name);
                break;
            case ToolCallArgumentsDelta arguments:
                _text.Append(arguments.JsonFragment);
                break;
            case StreamCompleted:
                Completed = true;
                break;
        }
    }

    /// <summary>
    /// The usage to bill: what the upstream reported (a stream cut short after Anthropic's <c>message_start</c> still has
    /// the input; its output is then counted from the text received), else the estimate.
    /// </summary>
    public TokenUsage Resolve(long promptTokensEstimate, TokenEncoding encoding)
    {
        var counted = TokenCounter.Shared.CountText(_text.ToString(), encoding);
        if (_usage is { } reported)
            return Completed || reported.CompletionTokens >= counted ? reported : reported with { CompletionTokens = counted, IsEstimated = true };
        return new TokenUsage(promptTokensEstimate, 0, counted, IsEstimated: true);
    }
}
