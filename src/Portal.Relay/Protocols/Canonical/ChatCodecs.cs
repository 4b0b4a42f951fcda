using Portal.Core.Features.Catalog;
using Portal.Relay.Forwarding;
using Portal.Relay.Tokens;

namespace Portal.Relay.Protocols.Canonical;

/// <summary>The chat codec of each wire family (registered in DI) and the upstream endpoint a family's chat requests go to.</summary>
internal sealed class ChatCodecs(IEnumerable<IChatCodec> codecs)
{
    private readonly Dictionary<WireFamily, IChatCodec> _byFamily = codecs.ToDictionary(c => c.Family);

    public IChatCodec? For(WireFamily family) => _byFamily.GetValueOrDefault(family);

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
    public static int CountPrompt(ChatRequest request, TokenEncoding encoding)
    {
        var counter = TokenCounter.Shared;
        var tokens = TokenCounter.ReplyPriming;
        foreach (var system in request.System) tokens += counter.CountText(system.Text, encoding);
        foreach (var message in request.Messages)
        {
            tokens += TokenCounter.TokensPerMessage;
            foreach (var part in message.Parts) tokens += CountPart(part, encoding);
        }

        foreach (var tool in request.Tools)
            tokens += counter.CountText(tool.Name, encoding) + counter.CountText(tool.Description ?? "", encoding) + counter.CountText(tool.ParametersJson, encoding);
        return tokens;
    }

    private static int CountPart(ChatPart part, TokenEncoding encoding) => part switch
    {
        TextPart text => TokenCounter.Shared.CountText(text.Text, encoding),
        ImagePart => TokenCounter.HighDetailImageTokens,
        ToolCallPart call => TokenCounter.Shared.CountText(call.Name, encoding) + TokenCounter.Shared.CountText(call.ArgumentsJson, encoding),
        ToolResultPart result => result.Content.Sum(c => CountPart(c, encoding)),
        ReasoningPart reasoning => TokenCounter.Shared.CountText(reasoning.Text, encoding),
        _ => 0,
    };
}
