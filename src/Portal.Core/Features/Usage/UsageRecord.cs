using Portal.Core.Data;
using Portal.Core.Localization;

namespace Portal.Core.Features.Usage;

public enum UsageStatus
{
    /// <summary>The upstream answered completely.</summary>
    Succeeded,

    /// <summary>Failed before any output reached the client: charged nothing.</summary>
    [EnumText("Request failed")]
    Failed,

    /// <summary>The client went away mid-stream: charged for what was generated.</summary>
    [EnumText("Cancelled by the client")]
    ClientCancelled,

    /// <summary>The upstream broke off after the first byte: charged for what was generated.</summary>
    [EnumText("Interrupted by the upstream")]
    UpstreamInterrupted,
}

/// <summary>The client surface a request came in on (shown as <c>chat.completions</c>, <c>embeddings</c>, <c>messages</c>, <c>responses</c>).</summary>
public enum UsageEndpoint
{
    [EnumText("Chat completions")]
    ChatCompletions,
    Embeddings,

    /// <summary>Anthropic Messages, <c>POST /v1/messages</c>.</summary>
    Messages,

    /// <summary>OpenAI Responses, <c>POST /v1/responses</c>.</summary>
    Responses,
}

public static class UsageEndpoints
{
    /// <summary>The surface's wire name, as the request log and exports show it.</summary>
    public static string WireName(this UsageEndpoint endpoint) => endpoint switch
    {
        UsageEndpoint.ChatCompletions => "chat.completions",
        UsageEndpoint.Embeddings => "embeddings",
        UsageEndpoint.Messages => "messages",
        UsageEndpoint.Responses => "responses",
        _ => endpoint.ToString(),
    };
}

/// <summary>
/// One relayed request: the usage ledger. Append-only. <see cref="WalletChargedMicroYuan"/> is what left the wallet
/// balance (the ledger invariant subtracts it); <see cref="PlanCreditUsedMicroYuan"/> came from plan credit;
/// together they are <see cref="CostMicroYuan"/>. Prices are the ones charged, copied from the model at admission.
/// No prompt or completion text is stored.
/// </summary>
public sealed class UsageRecord : ITenantOwned, IAppendOnly
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public Guid ApiKeyId { get; set; }

    /// <summary>The <c>x-request-id</c> returned to the client; unique, which makes settlement idempotent.</summary>
    public string RequestId { get; set; } = "";

    /// <summary>When the request arrived.</summary>
    public DateTimeOffset At { get; set; }

    public UsageEndpoint Endpoint { get; set; }

    public string Model { get; set; } = "";

    public Guid? ChannelId { get; set; }

    /// <summary>The type of the channel that served the request (kept: the channel may change type or be deleted later).</summary>
    public Catalog.ChannelType? ChannelType { get; set; }

    public long InputTokens { get; set; }

    public long CachedInputTokens { get; set; }

    public long OutputTokens { get; set; }

    /// <summary>Prompt tokens written to the upstream's cache (part of <see cref="InputTokens"/>, billed at the cache-write price).</summary>
    public long CacheWriteInputTokens { get; set; }

    public long InputPricePerMillionMicroYuan { get; set; }

    public long OutputPricePerMillionMicroYuan { get; set; }

    public long CachedInputPricePerMillionMicroYuan { get; set; }

    public long CacheWritePricePerMillionMicroYuan { get; set; }

    public long CostMicroYuan { get; set; }

    public long PlanCreditUsedMicroYuan { get; set; }

    public long WalletChargedMicroYuan { get; set; }

    /// <summary>What admission held for the request (wallet and key budget).</summary>
    public long HoldMicroYuan { get; set; }

    public UsageStatus Status { get; set; }

    /// <summary>The HTTP status the client received.</summary>
    public int HttpStatus { get; set; }

    /// <summary>OpenAI error code when the request failed, e.g. <c>upstream_error</c>.</summary>
    public string? ErrorCode { get; set; }

    public bool Stream { get; set; }

    /// <summary>Tokens counted by the portal's tokenizer because the upstream reported no usage.</summary>
    public bool Estimated { get; set; }

    /// <summary>The cost outgrew the hold (no <c>max_tokens</c>): the only overdraft the relay allows.</summary>
    public bool Overdraft { get; set; }

    public int LatencyMs { get; set; }

    public int? TimeToFirstTokenMs { get; set; }

    public string ClientIp { get; set; } = "";

    /// <summary>Where the serving channel processes data (境内 / 境外), copied at settlement; null when no channel was reached.</summary>
    public Catalog.ChannelRegion? ChannelRegion { get; set; }

    /// <summary>
    /// Personal information found in the request by the tenant's data policy, as kinds and counts only
    /// (<c>Mobile:1,Email:2</c>, see <see cref="DataProtection.PiiCounts"/>); null when none was found or nothing was scanned. Never a value.
    /// </summary>
    public string? PiiFindings { get; set; }
}
