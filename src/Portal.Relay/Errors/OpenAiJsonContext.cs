using System.Text.Json.Serialization;

namespace Portal.Relay.Errors;

/// <summary>Source-generated System.Text.Json metadata for the relay's own response bodies (no reflection at run time).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(OpenAiErrorBody))]
public sealed partial class OpenAiJsonContext : JsonSerializerContext;
