namespace Portal.Relay.Tokens;

/// <summary>The tiktoken encodings the relay can count with offline.</summary>
public enum TokenEncoding
{
    /// <summary>GPT-4o, GPT-4.1, GPT-5, o-series; also the estimate for models of other vendors.</summary>
    O200kBase,

    /// <summary>GPT-4, GPT-3.5 and the text-embedding-3 / ada-002 embedding models.</summary>
    Cl100kBase,
}

/// <summary>Maps a model id to the encoding its vendor tokenizes with.</summary>
public static class TokenEncodings
{
    private static readonly string[] Cl100kPrefixes = ["gpt-4-", "gpt-3.5", "gpt-35", "text-embedding-3", "text-embedding-ada"];

    /// <summary>
    /// The encoding for an (upstream) model id. Models outside OpenAI's families (DeepSeek, Qwen, GLM, …) have their
    /// own tokenizers that are not shipped offline; o200k_base is used as the estimate for them, and usage counted
    /// that way is recorded as estimated anyway.
    /// </summary>
    public static TokenEncoding ForModel(string? model)
    {
        if (string.IsNullOrEmpty(model)) return TokenEncoding.O200kBase;
        if (model.Equals("gpt-4", StringComparison.OrdinalIgnoreCase)) return TokenEncoding.Cl100kBase;
        foreach (var prefix in Cl100kPrefixes)
        {
            // gpt-4o and gpt-4.1 do not start with "gpt-4-", so they fall through to o200k.
            if (model.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return TokenEncoding.Cl100kBase;
        }

        return TokenEncoding.O200kBase;
    }
}
