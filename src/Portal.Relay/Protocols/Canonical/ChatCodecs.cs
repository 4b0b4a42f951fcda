using Portal.Core.Features.Catalog;
using Portal.Relay.Forwarding;
using Portal.Relay.Protocols.Gemini;
using Portal.Relay.Tokens;

namespace Portal.Relay.Protocols.Canonical;

/// <summary>The chat codec of each wire family (registered in DI) and the upstream endpoint a family's chat requests go to.</summary>
internal sealed class ChatCodecs(IEnumerable<IChatCodec> codecs)
{
    private readonly Dictionary<WireFamily, IChatCodec> _byFamily = codecs.ToDictionary(c => c.Family);

    public IChatCodec? For(WireFamily family) => _byFamily.GetValueOrDefault(family);

    /// <summary>The embeddings codec of a family other than OpenAI's (whose channels take <c>/v1/embeddings</c> bodies as they are); null when the family serves no embeddings.</summary>
    public static IEmbeddingsCodec? EmbeddingsFor(WireFamily family) => family == WireFamily.Gemini ? GeminiEmbeddings.Instance : null;

    /// <summary>Where a chat request translated into <paramref name="family"/> is sent.</summary>
    public static UpstreamEndpoint ChatEndpointFor(WireFamily family) => family switch
    {
        WireFamily.Anthropic => UpstreamEndpoint.Messages,
        WireFamily.Gemini => UpstreamEndpoint.GenerateContent,
        _ => UpstreamEndpoint.ChatCompletions,
    };
}

/// <summary>Token estimates over the canonical model (holds, and usage when an upstream reports none).</summary>
public static class CanonicalTokens
{
    /// <summary>The prompt as the model's tokenizer counts it: system, every part's text, tool calls and results, tool definitions; images at a fixed rate.</summary>
    public static int CountPrompt(ChatRequest request, TokenEncoding encoding, CancellationToken cancellationToken = default)
    {
        var counter = TokenCounter.Shared;
        var tokens = TokenCounter.ReplyPriming;
        foreach (var system in request.System) tokens += counter.CountText(system.Text, encoding, cancellationToken);
        foreach (var message in request.Messages)
        {
            tokens += TokenCounter.TokensPerMessage;
            foreach (var part in message.Parts) tokens += CountPart(part, encoding, cancellationToken);
        }

        foreach (var tool in request.Tools)
            tokens += counter.CountText(tool.Name, encoding, cancellationToken) + counter.CountText(tool.Description ?? "", encoding, cancellationToken) + counter.CountText(tool.ParametersJson, encoding, cancellationToken);
        return tokens;
    }

    private static int CountPart(ChatPart part, TokenEncoding encoding, CancellationToken cancellationToken) => part switch
    {
        TextPart text => TokenCounter.Shared.CountText(text.Text, encoding, cancellationToken),
        ImagePart => TokenCounter.HighDetailImageTokens,
        ToolCallPart call => TokenCounter.Shared.CountText(call.Name, encoding, cancellationToken) + TokenCounter.Shared.CountText(call.ArgumentsJson, encoding, cancellationToken),
        ToolResultPart result => result.Content.Sum(c => CountPart(c, encoding, cancellationToken)),
        ReasoningPart reasoning => TokenCounter.Shared.CountText(reasoning.Text, encoding, cancellationToken),
        _ => 0,
    };
}
