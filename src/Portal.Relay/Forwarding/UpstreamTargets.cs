using System.Net;
using System.Net.Http.Headers;
using Portal.Core.Features.Catalog;

namespace Portal.Relay.Forwarding;

/// <summary>The upstream APIs the relay calls. Which one a request uses depends on the client's surface and the channel's family.</summary>
internal enum UpstreamEndpoint
{
    /// <summary>OpenAI <c>/chat/completions</c> (OpenAI-compatible and Azure channels).</summary>
    ChatCompletions,

    /// <summary>OpenAI <c>/embeddings</c>.</summary>
    Embeddings,

    /// <summary>Anthropic <c>/v1/messages</c>.</summary>
    Messages,

    /// <summary>Anthropic <c>/v1/messages/count_tokens</c>.</summary>
    CountTokens,

    /// <summary>OpenAI <c>/responses</c> (OpenAI-compatible channels that declare it).</summary>
    Responses,

    /// <summary>Gemini <c>:generateContent</c> / <c>:streamGenerateContent?alt=sse</c>.</summary>
    GenerateContent,

    /// <summary>Gemini <c>:embedContent</c> (one input).</summary>
    EmbedContent,

    /// <summary>Gemini <c>:batchEmbedContents</c> (a list of inputs).</summary>
    BatchEmbedContents,
}

/// <summary>
/// One call to one channel: which API, the model id the upstream knows, the body (already in the channel's wire
/// format) and headers to add (e.g. the client's <c>anthropic-beta</c> on a pass-through).
/// </summary>
internal sealed record UpstreamCall(UpstreamEndpoint Endpoint, string UpstreamModel, ReadOnlyMemory<byte> Body, bool Stream)
{
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
}

/// <summary>
/// How one channel type is reached over HTTP: the URI, authentication and fixed headers of each endpoint it serves.
/// Registered in DI; the forwarder picks the one for the channel's <see cref="ChannelType"/>.
/// </summary>
internal interface IUpstreamTarget
{
    ChannelType Type { get; }

    /// <summary>The request for <paramref name="call"/>, without content; null when the channel cannot serve that endpoint (a failure of the channel).</summary>
    HttpRequestMessage? CreateRequest(ChannelSettings settings, UpstreamCall call);
}

/// <summary>The <see cref="IUpstreamTarget"/> per channel type.</summary>
internal sealed class UpstreamTargets(IEnumerable<IUpstreamTarget> targets)
{
    private readonly Dictionary<ChannelType, IUpstreamTarget> _byType = targets.ToDictionary(t => t.Type);

    public IUpstreamTarget? For(ChannelType type) => _byType.GetValueOrDefault(type);
}

/// <summary>Any OpenAI-compatible upstream: <c>{base}/chat/completions</c>, <c>/embeddings</c>, <c>/responses</c>, <c>Authorization: Bearer</c>.</summary>
internal sealed class OpenAICompatibleTarget : IUpstreamTarget
{
    public ChannelType Type => ChannelType.OpenAICompatible;

    public HttpRequestMessage? CreateRequest(ChannelSettings settings, UpstreamCall call)
    {
        var uri = call.Endpoint switch
        {
            UpstreamEndpoint.ChatCompletions => settings.ChatUri,
            UpstreamEndpoint.Embeddings => settings.EmbeddingsUri,
            UpstreamEndpoint.Responses when settings.SupportsResponsesApi && settings.BaseUrl is { } baseUrl
                && Uri.TryCreate(baseUrl + "/responses", UriKind.Absolute, out var responses) => responses,
            _ => null,
        };
        if (uri is null) return null;
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Version = HttpVersion.Version11 };
        if (!string.IsNullOrEmpty(settings.ApiKey)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.ApiKey);
        return request;
    }
}

/// <summary>Anthropic: <c>{base}/v1/messages</c> and <c>/v1/messages/count_tokens</c>, <c>x-api-key</c>, <c>anthropic-version: 2023-06-01</c>.</summary>
internal sealed class AnthropicTarget : IUpstreamTarget
{
    public const string Version = "2023-06-01";

    public ChannelType Type => ChannelType.Anthropic;

    public HttpRequestMessage? CreateRequest(ChannelSettings settings, UpstreamCall call)
    {
        var uri = call.Endpoint switch
        {
            UpstreamEndpoint.Messages => settings.MessagesUri,
            UpstreamEndpoint.CountTokens => settings.CountTokensUri,
            _ => null,
        };
        if (uri is null) return null;
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Version = HttpVersion.Version11 };
        if (!string.IsNullOrEmpty(settings.ApiKey)) request.Headers.TryAddWithoutValidation("x-api-key", settings.ApiKey);
        request.Headers.TryAddWithoutValidation("anthropic-version", Version);
        return request;
    }
}
