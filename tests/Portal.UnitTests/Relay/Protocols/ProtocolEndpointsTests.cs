using Portal.Relay.Protocols.Azure;
using Portal.Relay.Protocols.Gemini;

namespace Portal.UnitTests.Relay.Protocols;

public class ProtocolEndpointsTests
{
    [Theory]
    [InlineData(null, "gemini-2.5-flash", false, "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent")]
    [InlineData("https://proxy.example.cn/", "models/gemini-2.5-pro", true, "https://proxy.example.cn/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse")]
    [InlineData("https://proxy.example.cn/v1beta", "gemini-2.5-flash", false, "https://proxy.example.cn/v1beta/models/gemini-2.5-flash:generateContent")]
    public void Gemini_urls(string? baseUrl, string model, bool stream, string expected) =>
        Assert.Equal(expected, GeminiEndpoints.Generate(baseUrl, model, stream)!.AbsoluteUri);

    [Theory]
    [InlineData("https://my-res.openai.azure.com", "gpt4o-prod", "2024-10-21", "https://my-res.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21")]
    [InlineData("https://my-res.openai.azure.com/openai/", "gpt4o", null, "https://my-res.openai.azure.com/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21")]
    public void Azure_chat_urls(string endpoint, string deployment, string? version, string expected) =>
        Assert.Equal(expected, AzureOpenAiEndpoints.ChatCompletions(endpoint, deployment, version)!.AbsoluteUri);

    [Fact]
    public void Azure_without_an_endpoint_has_no_url() => Assert.Null(AzureOpenAiEndpoints.ChatCompletions(" ", "d", null));
}
