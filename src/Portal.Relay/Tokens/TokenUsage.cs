namespace Portal.Relay.Tokens;

/// <summary>
/// The tokens one request used, as billed. <paramref name="PromptTokens"/> includes <paramref name="CachedPromptTokens"/>
/// (OpenAI's <c>prompt_tokens</c> and <c>prompt_tokens_details.cached_tokens</c>). <paramref name="IsEstimated"/> is
/// true when the upstream never reported usage and the relay counted with a tokenizer instead.
/// </summary>
public readonly record struct TokenUsage(long PromptTokens, long CachedPromptTokens, long CompletionTokens, bool IsEstimated)
{
    /// <summary><c>PromptTokens + CompletionTokens</c>.</summary>
    public long TotalTokens => PromptTokens + CompletionTokens;
}
