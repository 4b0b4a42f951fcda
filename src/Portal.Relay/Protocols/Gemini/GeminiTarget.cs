using System.Net;
using Portal.Core.Features.Catalog;
using Portal.Relay.Forwarding;

namespace Portal.Relay.Protocols.Gemini;

/// <summary>Gemini: <c>{base}/v1beta/models/{model}:generateContent</c> (<c>:streamGenerateContent?alt=sse</c> streaming) and <c>:embedContent</c> / <c>:batchEmbedContents</c>, key in <c>x-goog-api-key</c>.</summary>
internal sealed class GeminiTarget : IUpstreamTarget
{
    public ChannelType Type => ChannelType.Gemini;

    public HttpRequestMessage? CreateRequest(ChannelSettings settings, UpstreamCall call)
    {
        var uri = call.Endpoint switch
        {
            UpstreamEndpoint.GenerateContent => GeminiEndpoints.Generate(settings.BaseUrl, call.UpstreamModel, call.Stream),
            UpstreamEndpoint.EmbedContent => GeminiEndpoints.Embed(settings.BaseUrl, call.UpstreamModel, batch: false),
            UpstreamEndpoint.BatchEmbedContents => GeminiEndpoints.Embed(settings.BaseUrl, call.UpstreamModel, batch: true),
            _ => null,
        };
        if (uri is null) return null;
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Version = HttpVersion.Version11 };
        if (!string.IsNullOrEmpty(settings.ApiKey)) request.Headers.TryAddWithoutValidation(GeminiEndpoints.KeyHeader, settings.ApiKey);
        return request;
    }
}
