namespace Portal.Core.Features.Catalog;

public enum ModelKind
{
    Chat,
    Embedding,
}

/// <summary>The tokenizer that counts a model's tokens when the upstream reports no usage.</summary>
public enum ModelTokenizer
{
    O200kBase,
    Cl100kBase,
}

/// <summary>
/// A model customers may call, with its list prices. Prices are micro-yuan per 1,000,000 tokens; a change applies
/// to requests admitted afterwards (each <c>UsageRecord</c> keeps the prices it was charged at).
/// </summary>
public sealed class AiModel
{
    public Guid Id { get; set; }

    /// <summary>The id clients send, e.g. <c>gpt-4o</c>. Unique.</summary>
    public string PublicId { get; set; } = "";

    public string DisplayName { get; set; } = "";

    public ModelKind Kind { get; set; }

    public long InputPricePerMillionMicroYuan { get; set; }

    public long OutputPricePerMillionMicroYuan { get; set; }

    /// <summary>Price of prompt tokens the upstream served from its cache.</summary>
    public long CachedInputPricePerMillionMicroYuan { get; set; }

    /// <summary>Price of prompt tokens written to the upstream's prompt cache (Anthropic's <c>cache_creation_input_tokens</c>); null = the input price.</summary>
    public long? CacheWritePricePerMillionMicroYuan { get; set; }

    /// <summary>The model accepts tools / function calling; a request with tools for a model without is refused with a 400.</summary>
    public bool SupportsTools { get; set; } = true;

    /// <summary>The model accepts images in messages.</summary>
    public bool SupportsVision { get; set; } = true;

    /// <summary>The model honours JSON mode / structured output (<c>response_format</c>).</summary>
    public bool SupportsJsonMode { get; set; } = true;

    public int ContextWindow { get; set; }

    public int MaxOutputTokens { get; set; }

    /// <summary>Output tokens held at admission when the request gives no <c>max_tokens</c>.</summary>
    public int DefaultHoldOutputTokens { get; set; }

    public ModelTokenizer Tokenizer { get; set; }

    public bool Enabled { get; set; }

    public int SortOrder { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
