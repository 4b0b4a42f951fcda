using Portal.Core.Features.Catalog;
using Portal.Core.Features.Usage;
using Portal.Relay.Errors;
using Portal.Relay.Forwarding;
using Portal.Relay.Protocols.Anthropic;
using Portal.Relay.Protocols.Canonical;
using Portal.Relay.Protocols.OpenAI;
using Portal.Relay.Protocols.Responses;
using Portal.Relay.Tokens;

namespace Portal.Relay.Endpoints;

/// <summary>The client surfaces of the relay, each a <see cref="RelaySurface"/> for the one pipeline in <see cref="RelayRequests"/>.</summary>
internal sealed class RelaySurfaces
{
    /// <summary><c>POST /v1/chat/completions</c>: passed through to OpenAI-family channels (OpenAI-compatible, Azure, OpenAI simulators), translated to the rest.</summary>
    public RelaySurface ChatCompletions { get; } = new()
    {
        Endpoint = UsageEndpoint.ChatCompletions,
        Family = WireFamily.OpenAI,
        Codec = OpenAIChatCodec.Instance,
        Description = "chat completions",
        Shape = static body =>
        {
            var chat = ChatRequestShape.Validate(body);
            return chat.IsSuccess
                ? new SurfaceRequest(chat.Value.Model, chat.Value.Stream, chat.Value.MaxOutputTokens, chat.Value.IncludeUsage, null) { Features = chat.Value.Features }
                : SurfaceRequest.Invalid(OpenAiErrors.InvalidRequest((InvalidRequestError)chat.Error));
        },
        CountPrompt = static (_, body, encoding, aborted) => TokenCounter.Shared.CountChatPrompt(body.Span, encoding, aborted),
        // NOTE: Azure speaks OpenAI chat but at its own URL; its target maps ChatCompletions to the deployment's URL.
        PassesThrough = static channel => channel.Family == WireFamily.OpenAI,
        PassThroughEndpoint = UpstreamEndpoint.ChatCompletions,
    };

    /// <summary><c>POST /v1/embeddings</c>: OpenAI-family channels only until another family has an embeddings codec.</summary>
    public RelaySurface Embeddings { get; } = new()
    {
        Endpoint = UsageEndpoint.Embeddings,
        Family = WireFamily.OpenAI,
        ModelKind = ModelKind.Embedding,
        Description = "embeddings",
        Shape = static body =>
        {
            var embeddings = EmbeddingsRequestShape.Validate(body);
            return embeddings.IsSuccess
                ? new SurfaceRequest(embeddings.Value.Model, false, null, false, null)
                : SurfaceRequest.Invalid(OpenAiErrors.InvalidRequest((InvalidRequestError)embeddings.Error));
        },
        CountPrompt = static (_, body, encoding, aborted) => TokenCounter.Shared.CountEmbeddingsInput(body.Span, encoding, aborted),
        PassesThrough = static channel => channel.Family == WireFamily.OpenAI,
        PassThroughEndpoint = UpstreamEndpoint.Embeddings,
    };

    /// <summary>
    /// <c>POST /v1/messages</c> (Anthropic Messages, what Claude Code and the Anthropic SDKs call): passed through byte for
    /// byte to Anthropic-family channels (with the client's <c>anthropic-beta</c>), translated to the rest. The body is
    /// decoded up front: it validates the request and gives the prompt count for the hold.
    /// </summary>
    public RelaySurface Messages { get; } = new()
    {
        Endpoint = UsageEndpoint.Messages,
        Family = WireFamily.Anthropic,
        Codec = AnthropicCodec.Instance,
        Description = "the Anthropic Messages API",
        Shape = static body => ShapeMessages(body),
        CountPrompt = static (request, _, encoding, aborted) => CanonicalTokens.CountPrompt(request.Canonical!, encoding, aborted),
        PassesThrough = static channel => channel.Family == WireFamily.Anthropic,
        PassThroughEndpoint = UpstreamEndpoint.Messages,
        PassThroughHeaders = ["anthropic-beta"],
        ErrorShape = static error => AnthropicError(error),
    };

    internal static SurfaceRequest ShapeMessages(ReadOnlySpan<byte> body)
    {
        if (!RequestJson.IsWellFormed(body)) return SurfaceRequest.Invalid(OpenAiErrors.InvalidRequest(InvalidRequestError.MalformedJson));
        ChatRequest request;
        try
        {
            request = AnthropicCodec.Instance.DecodeRequest(body);
        }
        catch (TranslationException e)
        {
            return SurfaceRequest.Invalid(OpenAiErrors.InvalidRequest(e.Message, e.Param));
        }

        if (string.IsNullOrWhiteSpace(request.Model)) return SurfaceRequest.Invalid(OpenAiErrors.InvalidRequest("model: Field required", "model"));
        if (request.Messages.Count == 0) return SurfaceRequest.Invalid(OpenAiErrors.InvalidRequest("messages: at least one message is required", "messages"));
        if (request.MaxOutputTokens is < 1) return SurfaceRequest.Invalid(OpenAiErrors.InvalidRequest("max_tokens: must be at least 1", "max_tokens"));
        return new SurfaceRequest(request.Model, request.Stream, request.MaxOutputTokens, IncludeUsage: true, null, request);
    }

    /// <summary>
    /// The relay's errors in Anthropic's shape. Statuses stay, except an exhausted balance or key budget: 402
    /// <c>billing_error</c> rather than OpenAI's 429, which Anthropic clients would retry.
    /// </summary>
    internal static (int Status, byte[] Body) AnthropicError(OpenAiErrorResponse error)
    {
        var status = error.Error.Code == "insufficient_quota" ? 402 : error.StatusCode;
        return (status, AnthropicCodec.Instance.EncodeError(new UpstreamError(status, error.Error.Message)));
    }

    /// <summary>
    /// <c>POST /v1/responses</c>, stateless: passed through to OpenAI-compatible channels that serve the Responses API
    /// (with <c>"store": false</c> added), translated through the canonical model to every other channel.
    /// </summary>
    public RelaySurface Responses { get; } = new()
    {
        Endpoint = UsageEndpoint.Responses,
        Family = WireFamily.OpenAI,
        Codec = ResponsesCodec.Instance,
        Description = "responses",
        Shape = static body =>
        {
            if (!RequestJson.IsWellFormed(body)) return SurfaceRequest.Invalid(OpenAiErrors.InvalidRequest(InvalidRequestError.MalformedJson));
            var decoded = ResponsesRequestDecoder.Decode(body);
            return decoded.IsSuccess
                ? new SurfaceRequest(decoded.Value.Model, decoded.Value.Stream, decoded.Value.MaxOutputTokens, false, null, ResponsesCodec.ToCanonical(decoded.Value))
                : SurfaceRequest.Invalid(OpenAiErrors.InvalidRequest((InvalidRequestError)decoded.Error));
        },
        CountPrompt = static (request, _, encoding, aborted) => CanonicalTokens.CountPrompt(request.Canonical!, encoding, aborted),
        PassesThrough = static channel => channel.Family == WireFamily.OpenAI && channel.SupportsResponsesApi,
        PassThroughEndpoint = UpstreamEndpoint.Responses,
        RewritePassThrough = ResponsesPassThrough.Rewrite,
    };
}
