using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace Portal.Relay;

/// <summary>OpenAI's error body: <c>{"error":{"message","type","param","code"}}</c>, which every /v1 failure uses.</summary>
public sealed record OpenAiError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("code")] string? Code)
{
    public IResult ToResult(int status) => Results.Json(new { error = this }, statusCode: status);
}
