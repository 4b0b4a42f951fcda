namespace Portal.Relay.Protocols.Azure;

/// <summary>
/// Where an Azure OpenAI channel's requests go: <c>{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…</c>
/// (and <c>/embeddings</c>), the key in the <c>api-key</c> header. The deployment is the model mapping's upstream id; the
/// body is OpenAI's own wire, so it passes through unchanged (Azure ignores <c>model</c>).
/// </summary>
internal static class AzureOpenAiEndpoints
{
    /// <summary>The GA version used when a channel names none.</summary>
    public const string DefaultApiVersion = "2024-10-21";

    public const string KeyHeader = "api-key";

    public static Uri? ChatCompletions(string? endpoint, string deployment, string? apiVersion) => Build(endpoint, deployment, "chat/completions", apiVersion);

    public static Uri? Embeddings(string? endpoint, string deployment, string? apiVersion) => Build(endpoint, deployment, "embeddings", apiVersion);

    private static Uri? Build(string? endpoint, string deployment, string operation, string? apiVersion)
    {
        if (string.IsNullOrWhiteSpace(endpoint) || string.IsNullOrWhiteSpace(deployment)) return null;
        var root = endpoint.Trim().TrimEnd('/');
        // An endpoint pasted with the /openai suffix (as the Azure portal shows it for some resources) is not doubled.
        if (root.EndsWith("/openai", StringComparison.OrdinalIgnoreCase)) root = root[..^"/openai".Length];
        var version = string.IsNullOrWhiteSpace(apiVersion) ? DefaultApiVersion : apiVersion.Trim();
        return Uri.TryCreate($"{root}/openai/deployments/{Uri.EscapeDataString(deployment)}/{operation}?api-version={Uri.EscapeDataString(version)}", UriKind.Absolute, out var uri) ? uri : null;
    }
}
