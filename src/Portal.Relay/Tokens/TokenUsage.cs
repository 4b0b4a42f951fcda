namespace Portal.Relay.Tokens;

/// <summary>
/// The tokens one request used, as billed. <paramref name="PromptTokens"/> is the whole prompt: it includes
/// <paramref name="CachedPromptTokens"/> (read from the upstream's cache: OpenAI's <c>prompt_tokens_details.cached_tokens</c>,
/// Anthropic's <c>cache_read_input_tokens</c>) and <see cref="CacheWriteTokens"/> (written to it: Anthropic's
/// <c>cache_creation_input_tokens</c>). <paramref name="IsEstimated"/> is true when the upstream never reported usage and
/// the relay counted with a tokenizer instead.
/// </summary>
public readonly record struct TokenUsage(long PromptTokens, long CachedPromptTokens, long CompletionTokens, bool IsEstimated)
{
    /// <summary>Prompt tokens written to the upstream's cache (part of <see cref="PromptTokens"/>), billed at the cache-write price.</summary>
    public long CacheWriteTokens { get; init; }

    /// <summary>Reasoning tokens the upstream reported (informational: already part of <see cref="CompletionTokens"/>).</summary>
    public long ReasoningTokens { get; init; }

    /// <summary><c>PromptTokens + CompletionTokens</c>.</summary>
    public long TotalTokens => PromptTokens + CompletionTokens;
}
