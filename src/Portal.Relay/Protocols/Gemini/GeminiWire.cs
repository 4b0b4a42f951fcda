using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Relay.Protocols.Gemini;

// Google's Gemini API (generativelanguage.googleapis.com, v1beta), the parts the relay speaks: generateContent and
// streamGenerateContent (alt=sse), and the error body. Field names are Google's
// lowerCamelCase JSON; absent fields are left out when writing.

/// <summary>The body of <c>models/{model}:generateContent</c> and <c>:streamGenerateContent</c>.</summary>
internal sealed class GeminiRequest
{
    [JsonPropertyName("contents")]
    public List<GeminiContent> Contents { get; set; } = [];

    [JsonPropertyName("systemInstruction")]
    public GeminiContent? SystemInstruction { get; set; }

    [JsonPropertyName("tools")]
    public List<GeminiTool>? Tools { get; set; }

    [JsonPropertyName("toolConfig")]
    public GeminiToolConfig? ToolConfig { get; set; }

    [JsonPropertyName("generationConfig")]
    public GeminiGenerationConfig? GenerationConfig { get; set; }
}

/// <summary>A turn: role <c>user</c> or <c>model</c> (function responses travel as <c>user</c>) and its parts.</summary>
internal sealed class GeminiContent
{
    [JsonPropertyName("role")]
    public string? Role { get; set; }

    [JsonPropertyName("parts")]
    public List<GeminiPart> Parts { get; set; } = [];
}

/// <summary>One part: exactly one of text, inline data, file data, function call, function response.</summary>
internal sealed class GeminiPart
{
    [JsonPropertyName("text")]
    public string? Text { get; set; }

    /// <summary>True on a part that carries the model's thought summary (not part of the answer).</summary>
    [JsonPropertyName("thought")]
    public bool? Thought { get; set; }

    [JsonPropertyName("inlineData")]
    public GeminiBlob? InlineData { get; set; }

    [JsonPropertyName("fileData")]
    public GeminiFileData? FileData { get; set; }

    [JsonPropertyName("functionCall")]
    public GeminiFunctionCall? FunctionCall { get; set; }

    [JsonPropertyName("functionResponse")]
    public GeminiFunctionResponse? FunctionResponse { get; set; }

    /// <summary>Opaque signature of the model's thinking that Gemini 2.5+ wants back with the part it came on.</summary>
    [JsonPropertyName("thoughtSignature")]
    public string? ThoughtSignature { get; set; }
}

internal sealed class GeminiBlob
{
    [JsonPropertyName("mimeType")]
    public string MimeType { get; set; } = "";

    /// <summary>Base64 bytes.</summary>
    [JsonPropertyName("data")]
    public string Data { get; set; } = "";
}

internal sealed class GeminiFileData
{
    [JsonPropertyName("mimeType")]
    public string? MimeType { get; set; }

    [JsonPropertyName("fileUri")]
    public string FileUri { get; set; } = "";
}

internal sealed class GeminiFunctionCall
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    /// <summary>The arguments as a JSON object.</summary>
    [JsonPropertyName("args")]
    public JsonElement? Args { get; set; }
}

internal sealed class GeminiFunctionResponse
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    /// <summary>A JSON object (Gemini wants an object: plain text goes as <c>{"content": text}</c>).</summary>
    [JsonPropertyName("response")]
    public JsonElement Response { get; set; }
}

internal sealed class GeminiTool
{
    [JsonPropertyName("functionDeclarations")]
    public List<GeminiFunctionDeclaration>? FunctionDeclarations { get; set; }
}

internal sealed class GeminiFunctionDeclaration
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("description")]
    public string? Description { get; set; }

    /// <summary>JSON Schema as OpenAI and Anthropic write it (<c>parametersJsonSchema</c> accepts it unchanged).</summary>
    [JsonPropertyName("parametersJsonSchema")]
    public JsonElement? ParametersJsonSchema { get; set; }
}

internal sealed class GeminiToolConfig
{
    [JsonPropertyName("functionCallingConfig")]
    public GeminiFunctionCallingConfig FunctionCallingConfig { get; set; } = new();
}

internal sealed class GeminiFunctionCallingConfig
{
    /// <summary><c>AUTO</c>, <c>ANY</c> (must call one) or <c>NONE</c>.</summary>
    [JsonPropertyName("mode")]
    public string Mode { get; set; } = "AUTO";

    [JsonPropertyName("allowedFunctionNames")]
    public List<string>? AllowedFunctionNames { get; set; }
}

internal sealed class GeminiGenerationConfig
{
    [JsonPropertyName("temperature")]
    public double? Temperature { get; set; }

    [JsonPropertyName("topP")]
    public double? TopP { get; set; }

    [JsonPropertyName("topK")]
    public int? TopK { get; set; }

    [JsonPropertyName("maxOutputTokens")]
    public int? MaxOutputTokens { get; set; }

    [JsonPropertyName("stopSequences")]
    public List<string>? StopSequences { get; set; }

    [JsonPropertyName("candidateCount")]
    public int? CandidateCount { get; set; }

    [JsonPropertyName("seed")]
    public long? Seed { get; set; }

    [JsonPropertyName("presencePenalty")]
    public double? PresencePenalty { get; set; }

    [JsonPropertyName("frequencyPenalty")]
    public double? FrequencyPenalty { get; set; }

    /// <summary><c>application/json</c> for JSON mode.</summary>
    [JsonPropertyName("responseMimeType")]
    public string? ResponseMimeType { get; set; }

    /// <summary>A JSON Schema for structured output (Gemini's <c>responseJsonSchema</c> takes standard JSON Schema).</summary>
    [JsonPropertyName("responseJsonSchema")]
    public JsonElement? ResponseJsonSchema { get; set; }

    [JsonPropertyName("thinkingConfig")]
    public GeminiThinkingConfig? ThinkingConfig { get; set; }
}

/// <summary>Gemini 2.5's thinking budget in tokens (0 turns thinking off on Flash).</summary>
internal sealed class GeminiThinkingConfig
{
    [JsonPropertyName("thinkingBudget")]
    public int ThinkingBudget { get; set; }
}

/// <summary>The answer of <c>generateContent</c>, and each chunk of <c>streamGenerateContent</c>.</summary>
internal sealed class GeminiResponse
{
    [JsonPropertyName("candidates")]
    public List<GeminiCandidate>? Candidates { get; set; }

    [JsonPropertyName("promptFeedback")]
    public GeminiPromptFeedback? PromptFeedback { get; set; }

    [JsonPropertyName("usageMetadata")]
    public GeminiUsage? UsageMetadata { get; set; }

    [JsonPropertyName("modelVersion")]
    public string? ModelVersion { get; set; }

    [JsonPropertyName("responseId")]
    public string? ResponseId { get; set; }
}

internal sealed class GeminiCandidate
{
    [JsonPropertyName("content")]
    public GeminiContent? Content { get; set; }

    /// <summary><c>STOP</c>, <c>MAX_TOKENS</c>, <c>SAFETY</c>, <c>RECITATION</c>, <c>MALFORMED_FUNCTION_CALL</c> …; null while streaming.</summary>
    [JsonPropertyName("finishReason")]
    public string? FinishReason { get; set; }

    [JsonPropertyName("index")]
    public int? Index { get; set; }
}

internal sealed class GeminiPromptFeedback
{
    /// <summary>Set when the prompt itself was blocked (then there are no candidates).</summary>
    [JsonPropertyName("blockReason")]
    public string? BlockReason { get; set; }
}

/// <summary>
/// <c>promptTokenCount</c> includes <c>cachedContentTokenCount</c>; <c>candidatesTokenCount</c> excludes
/// <c>thoughtsTokenCount</c>, which Google bills as output.
/// </summary>
internal sealed class GeminiUsage
{
    [JsonPropertyName("promptTokenCount")]
    public long PromptTokenCount { get; set; }

    [JsonPropertyName("cachedContentTokenCount")]
    public long CachedContentTokenCount { get; set; }

    [JsonPropertyName("candidatesTokenCount")]
    public long CandidatesTokenCount { get; set; }

    [JsonPropertyName("thoughtsTokenCount")]
    public long ThoughtsTokenCount { get; set; }

    [JsonPropertyName("toolUsePromptTokenCount")]
    public long ToolUsePromptTokenCount { get; set; }

    [JsonPropertyName("totalTokenCount")]
    public long TotalTokenCount { get; set; }
}

/// <summary>Google's error body, <c>{"error":{"code","message","status"}}</c>.</summary>
internal sealed class GeminiErrorBody
{
    [JsonPropertyName("error")]
    public GeminiError? Error { get; set; }
}

internal sealed class GeminiError
{
    [JsonPropertyName("code")]
    public int Code { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    /// <summary><c>INVALID_ARGUMENT</c>, <c>PERMISSION_DENIED</c>, <c>RESOURCE_EXHAUSTED</c>, <c>NOT_FOUND</c> …</summary>
    [JsonPropertyName("status")]
    public string? Status { get; set; }
}

/// <summary>Source-generated metadata for the Gemini wire (no reflection at run time); nulls are left out when writing.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GeminiRequest))]
[JsonSerializable(typeof(GeminiResponse))]
[JsonSerializable(typeof(GeminiErrorBody))]
internal sealed partial class GeminiJsonContext : JsonSerializerContext;
