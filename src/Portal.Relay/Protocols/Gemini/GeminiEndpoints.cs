namespace Portal.Relay.Protocols.Gemini;

/// <summary>
/// Where a Gemini channel's requests go: <c>{base}/v1beta/models/{model}:{operation}</c>, the key in
/// <c>x-goog-api-key</c> (never in the URL, so it stays out of logs). The base is Google's
/// <c>https://generativelanguage.googleapis.com</c> or a proxy in front of it; a base that already ends in
/// <c>/v1beta</c> is not doubled.
/// </summary>
internal static class GeminiEndpoints
{
    public const string DefaultBaseUrl = "https://generativelanguage.googleapis.com";

    public const string KeyHeader = "x-goog-api-key";

    /// <summary><c>:generateContent</c>, or <c>:streamGenerateContent?alt=sse</c> when streaming.</summary>
    public static Uri? Generate(string? baseUrl, string model, bool stream) =>
        Build(baseUrl, model, stream ? "streamGenerateContent?alt=sse" : "generateContent");

    /// <summary><c>:embedContent</c>, or <c>:batchEmbedContents</c> for a list of inputs.</summary>
    public static Uri? Embed(string? baseUrl, string model, bool batch) =>
        Build(baseUrl, model, batch ? "batchEmbedContents" : "embedContent");

    private static Uri? Build(string? baseUrl, string model, string operation)
    {
        var root = string.IsNullOrWhiteSpace(baseUrl) ? DefaultBaseUrl : baseUrl.Trim().TrimEnd('/');
        if (!root.EndsWith("/v1beta", StringComparison.Ordinal)) root += "/v1beta";
        var id = model.StartsWith("models/", StringComparison.Ordinal) ? model["models/".Length..] : model;
        return Uri.TryCreate($"{root}/models/{Uri.EscapeDataString(id)}:{operation}", UriKind.Absolute, out var uri) ? uri : null;
    }
}
