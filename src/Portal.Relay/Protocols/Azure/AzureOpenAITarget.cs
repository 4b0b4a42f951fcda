using System.Net;
using Portal.Core.Features.Catalog;
using Portal.Relay.Forwarding;

namespace Portal.Relay.Protocols.Azure;

/// <summary>Azure OpenAI: <c>{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…</c> (and <c>/embeddings</c>), key in <c>api-key</c>; the deployment is the model mapping's upstream id.</summary>
internal sealed class AzureOpenAITarget : IUpstreamTarget
{
    public ChannelType Type => ChannelType.AzureOpenAI;

    public HttpRequestMessage? CreateRequest(ChannelSettings settings, UpstreamCall call)
    {
        var uri = call.Endpoint switch
        {
            UpstreamEndpoint.ChatCompletions => AzureOpenAiEndpoints.ChatCompletions(settings.BaseUrl, call.UpstreamModel, settings.AzureApiVersion),
            UpstreamEndpoint.Embeddings => AzureOpenAiEndpoints.Embeddings(settings.BaseUrl, call.UpstreamModel, settings.AzureApiVersion),
            _ => null,
        };
        if (uri is null) return null;
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Version = HttpVersion.Version11 };
        if (!string.IsNullOrEmpty(settings.ApiKey)) request.Headers.TryAddWithoutValidation(AzureOpenAiEndpoints.KeyHeader, settings.ApiKey);
        return request;
    }
}
