using System.Text.Json.Serialization;

namespace Portal.Relay.Errors;

/// <summary>The inner object of OpenAI's error body. <c>param</c> and <c>code</c> are always written, as null when absent.</summary>
public sealed record OpenAiError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("code")] string? Code);

/// <summary>OpenAI's error body, <c>{"error":{"message","type","param","code"}}</c>.</summary>
public sealed record OpenAiErrorBody([property: JsonPropertyName("error")] OpenAiError Error);
