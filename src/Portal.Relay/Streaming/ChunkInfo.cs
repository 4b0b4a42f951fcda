using Portal.Relay.Tokens;

namespace Portal.Relay.Streaming;

/// <summary>What <see cref="ChunkInspector"/> found in one chunk (or in a whole non-streaming response).</summary>
public readonly record struct ChunkInfo
{
    /// <summary>False when the payload is not a JSON object (the other properties are then defaults).</summary>
    public bool IsJson { get; init; }

    /// <summary>The <c>model</c> field, when asked for and present.</summary>
    public string? Model { get; init; }

    /// <summary>The <c>usage</c> object, when present and not null. Never estimated.</summary>
    public TokenUsage? Usage { get; init; }

    /// <summary>True when a <c>choices</c> array is present (even empty).</summary>
    public bool HasChoices { get; init; }

    /// <summary>Number of elements in <c>choices</c>.</summary>
    public int ChoiceCount { get; init; }

    /// <summary>True when a choice carries a non-null <c>finish_reason</c>.</summary>
    public bool HasFinishReason { get; init; }

    /// <summary>
    /// OpenAI's usage-only chunk, the one sent after the last content chunk when <c>stream_options.include_usage</c> is
    /// on: <c>choices</c> is empty and <c>usage</c> is present. The relay forwards it only if the client asked for it.
    /// Some upstreams put usage on the last content chunk instead; that chunk is not usage-only and is forwarded.
    /// </summary>
    public bool IsUsageOnly => HasChoices && ChoiceCount == 0 && Usage is not null;
}
