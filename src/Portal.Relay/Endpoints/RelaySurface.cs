using Microsoft.AspNetCore.Http;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Usage;
using Portal.Relay.Errors;
using Portal.Relay.Forwarding;
using Portal.Relay.Protocols.Canonical;
using Portal.Relay.Tokens;

namespace Portal.Relay.Endpoints;

/// <summary>
/// What one client surface (<c>/v1/chat/completions</c>, <c>/v1/embeddings</c>, <c>/v1/messages</c>,
/// <c>/v1/responses</c>) plugs into the relay's one pipeline (<see cref="RelayRequests"/>): how its body is validated,
/// how its prompt is counted for the hold, which channels take its body as is (pass-through) and which get it translated
/// through the canonical model, and how its errors look. Admission, failover, streaming, metering and settlement are
/// the pipeline's, the same for every surface.
/// </summary>
internal sealed class RelaySurface
{
    public required UsageEndpoint Endpoint { get; init; }

    /// <summary>The client's wire family.</summary>
    public required WireFamily Family { get; init; }

    /// <summary>The surface's chat codec (decodes its requests for translation, encodes answers, streams and errors back); null for embeddings.</summary>
    public IChatCodec? Codec { get; init; }

    /// <summary>The kind of model the surface serves.</summary>
    public ModelKind ModelKind { get; init; } = ModelKind.Chat;

    /// <summary>How the surface names itself in "model does not support …" errors.</summary>
    public required string Description { get; init; }

    /// <summary>Validates a body: model, stream, max output tokens, whether the client wants usage in the stream, or an error.</summary>
    public required SurfaceShape Shape { get; init; }

    /// <summary>The prompt's tokens for the hold (and the estimate when the upstream reports no usage).</summary>
    public required Func<SurfaceRequest, ReadOnlyMemory<byte>, TokenEncoding, CancellationToken, long> CountPrompt { get; init; }

    /// <summary>True when a channel takes the client's body unchanged (model id mapped) at <see cref="PassThroughEndpoint"/>.</summary>
    public required Func<ChannelSettings, bool> PassesThrough { get; init; }

    public required UpstreamEndpoint PassThroughEndpoint { get; init; }

    /// <summary>
    /// Writes a pass-through body for an upstream model (client body → <c>output</c>); null = the client's bytes with the
    /// model id mapped (<see cref="Streaming.RequestBodyRewriter"/>).
    /// </summary>
    public PassThroughRewrite? RewritePassThrough { get; init; }

    /// <summary>Client request headers copied to the upstream on a pass-through (e.g. <c>anthropic-beta</c>).</summary>
    public IReadOnlyList<string> PassThroughHeaders { get; init; } = [];

    /// <summary>Errors in the surface's own shape (status may be adapted, e.g. Anthropic's 402 for an exhausted balance).</summary>
    public Func<OpenAiErrorResponse, (int Status, byte[] Body)>? ErrorShape { get; init; }

    /// <summary>Writes <paramref name="error"/> in this surface's shape (OpenAI's when it has none of its own).</summary>
    public async Task WriteErrorAsync(HttpContext context, OpenAiErrorResponse error)
    {
        if (ErrorShape is null)
        {
            await RelayHttp.WriteErrorAsync(context, error);
            return;
        }

        var response = context.Response;
        if (response.HasStarted) return;
        var (status, body) = ErrorShape(error);
        response.StatusCode = status;
        if (error.RetryAfterSeconds is { } seconds) response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, context.RequestAborted);
    }
}

public delegate SurfaceRequest SurfaceShape(ReadOnlySpan<byte> body);

public delegate void PassThroughRewrite(ReadOnlySpan<byte> body, string upstreamModel, System.Buffers.IBufferWriter<byte> output);

/// <summary>
/// What a surface learned from a request body before admission. <c>Canonical</c> is the request decoded into the
/// canonical model when the surface decodes up front (otherwise it is decoded on the first translation).
/// </summary>
public sealed record SurfaceRequest(string Model, bool Stream, int? MaxOutputTokens, bool IncludeUsage, OpenAiErrorResponse? Error, ChatRequest? Canonical = null)
{
    /// <summary>The features a model may lack, found by the surface's validator when it does not decode up front; a decoded request's come from <see cref="Canonical"/>.</summary>
    public RequestFeatures Features { get; init; }

    /// <summary>What the request uses of tools, images and JSON mode (for the model's flags).</summary>
    public RequestFeatures UsedFeatures => Canonical is not { } c ? Features
        : (c.Tools.Count > 0 ? RequestFeatures.Tools : 0)
          | (c.HasImages ? RequestFeatures.Images : 0)
          | (c.ResponseFormat is { Kind: not ResponseFormatKind.Text } ? RequestFeatures.JsonMode : 0);

    public static SurfaceRequest Invalid(OpenAiErrorResponse error) => new("", false, null, false, error);
}
