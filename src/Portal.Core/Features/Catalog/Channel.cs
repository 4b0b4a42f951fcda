using Portal.Core.Localization;
namespace Portal.Core.Features.Catalog;

public enum ChannelType
{
    /// <summary>Any upstream speaking the OpenAI HTTP API at <see cref="Channel.BaseUrl"/>.</summary>
    [EnumText("OpenAI-compatible")]
    OpenAICompatible,

    /// <summary>The built-in upstream (no network), deterministic; settings in the <c>Simulator...</c> columns, wire format in <see cref="Channel.SimulatorWireFamily"/>.</summary>
    Simulator,

    /// <summary>Anthropic's Messages API: <c>POST {base}/v1/messages</c> with <c>x-api-key</c> and <c>anthropic-version</c>.</summary>
    Anthropic,

    /// <summary>Google's Gemini API: <c>{base}/v1beta/models/{model}:generateContent</c> with <c>x-goog-api-key</c>.</summary>
    Gemini,

    /// <summary>Azure OpenAI: <c>{endpoint}/openai/deployments/{deployment}/...?api-version=</c> with the <c>api-key</c> header; the deployment is the model mapping's upstream id.</summary>
    [EnumText("Azure OpenAI")]
    AzureOpenAI,
}

/// <summary>The three API families the relay speaks, to upstreams and to clients.</summary>
public enum WireFamily
{
    /// <summary>OpenAI: chat completions, Responses, embeddings.</summary>
    [EnumText("OpenAI format")]
    OpenAI,

    /// <summary>Anthropic Messages.</summary>
    Anthropic,

    /// <summary>Google Gemini generateContent.</summary>
    Gemini,
}

/// <summary>Where a channel's provider processes the data it is sent (DESIGN §10): inside mainland China or abroad (出境).</summary>
public enum ChannelRegion
{
    /// <summary>The provider processes data inside mainland China (境内).</summary>
    [EnumText("Domestic (境内)")]
    Domestic,

    /// <summary>The provider processes data outside mainland China (境外): a cross-border transfer of what is sent.</summary>
    [EnumText("Cross-border (境外)")]
    CrossBorder,
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

    /// <summary>
    /// e.g. <c>https://api.openai.com/v1</c> (OpenAI-compatible), <c>https://api.anthropic.com</c> (Anthropic),
    /// <c>https://generativelanguage.googleapis.com</c> (Gemini), <c>https://my-resource.openai.azure.com</c> (Azure); null for the simulator.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>OpenAI-compatible only: the upstream also serves <c>POST {base}/responses</c>, so Responses requests pass through instead of being translated to chat.</summary>
    public bool SupportsResponsesApi { get; set; }

    /// <summary>Azure OpenAI only: the <c>api-version</c> query parameter, e.g. <c>2024-10-21</c>.</summary>
    public string? AzureApiVersion { get; set; }

    /// <summary>Simulator only: the wire format it answers in (OpenAI, Anthropic or Gemini).</summary>
    public WireFamily SimulatorWireFamily { get; set; }

    /// <summary>Where the provider processes data; decides the tenant data policy's cross-border rules and is recorded on every usage record.</summary>
    public ChannelRegion Region { get; set; }

    /// <summary>The provider's country as an ISO 3166-1 alpha-2 code (<c>CN</c>, <c>US</c> …), shown to operators; null when not stated.</summary>
    public string? ProviderCountry { get; set; }

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

public static class ChannelTypes
{
    /// <summary>The wire format a channel of <paramref name="type"/> speaks (a simulator: the one it is set to).</summary>
    public static WireFamily WireFamilyOf(ChannelType type, WireFamily simulatorWireFamily) => type switch
    {
        ChannelType.Anthropic => WireFamily.Anthropic,
        ChannelType.Gemini => WireFamily.Gemini,
        ChannelType.Simulator => simulatorWireFamily,
        _ => WireFamily.OpenAI,
    };

    /// <summary>Types that reach an upstream over HTTP and so need a base URL (and usually a key).</summary>
    public static bool NeedsBaseUrl(ChannelType type) => type != ChannelType.Simulator;
}

/// <summary>One model a channel serves: the public id and the id the upstream knows it by.</summary>
public sealed class ChannelModel
{
    public Guid Id { get; set; }

    public Guid ChannelId { get; set; }

    public string PublicModelId { get; set; } = "";

    public string UpstreamModelId { get; set; } = "";
}
