using Portal.Core.Localization;
namespace Portal.Core.Features.Catalog;

public enum ChannelType
{
    /// <summary>Any upstream speaking the OpenAI HTTP API at <see cref="Channel.BaseUrl"/>.</summary>
    [EnumText("OpenAI-compatible")]
    OpenAICompatible,

    /// <summary>The built-in upstream (no network), deterministic; settings in the <c>Simulator...</c> columns.</summary>
    Simulator,
}

/// <summary>
/// An upstream the relay forwards to. Chosen by <see cref="Priority"/> (lower first), then at random by
/// <see cref="Weight"/> among equals. The upstream API key is stored encrypted (ASP.NET Data Protection) and
/// never shown again; <see cref="ApiKeyLast4"/> is what the UI displays.
/// </summary>
public sealed class Channel
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    public ChannelType Type { get; set; }

    /// <summary>e.g. <c>https://api.openai.com/v1</c>; null for the simulator.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The upstream key, encrypted with Data Protection (purpose <c>Portal.Catalog.ChannelKey</c>).</summary>
    public string? ApiKeyProtected { get; set; }

    public string? ApiKeyLast4 { get; set; }

    /// <summary>Lower is tried first.</summary>
    public int Priority { get; set; }

    /// <summary>Relative share among enabled channels of the same priority; ≥ 1.</summary>
    public int Weight { get; set; } = 1;

    public bool Enabled { get; set; }

    /// <summary>Time allowed to connect.</summary>
    public int ConnectTimeoutMs { get; set; } = 5_000;

    /// <summary>Time allowed until the first byte of the response (then fail over).</summary>
    public int FirstByteTimeoutMs { get; set; } = 60_000;

    /// <summary>Simulator: latency before the first byte.</summary>
    public int SimulatorLatencyMs { get; set; }

    /// <summary>Simulator: streaming speed; 0 = as fast as possible.</summary>
    public int SimulatorTokensPerSecond { get; set; }

    /// <summary>Simulator: share of requests that fail with a 500, in per mille (0–1000).</summary>
    public int SimulatorFailurePerMille { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<ChannelModel> Models { get; set; } = [];
}

/// <summary>One model a channel serves: the public id and the id the upstream knows it by.</summary>
public sealed class ChannelModel
{
    public Guid Id { get; set; }

    public Guid ChannelId { get; set; }

    public string PublicModelId { get; set; } = "";

    public string UpstreamModelId { get; set; } = "";
}
