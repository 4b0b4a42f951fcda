using System.Text.Json;

namespace Portal.Relay.Protocols.Responses;

/// <summary>
/// A <c>POST /v1/responses</c> body as the relay understands it: what a translation to another family needs, decoded once
/// by <see cref="ResponsesRequestDecoder"/>. A pass-through forwards the original bytes and uses only the first fields.
/// </summary>
internal sealed record ResponsesRequest
{
    public required string Model { get; init; }

    public bool Stream { get; init; }

    /// <summary><c>instructions</c>: the system prompt of this call (never carried over: the platform keeps no state).</summary>
    public string? Instructions { get; init; }

    /// <summary><c>input</c> as items; a string input becomes one user message.</summary>
    public required IReadOnlyList<ResponsesItem> Input { get; init; }

    /// <summary>Function tools (and <c>custom</c> tools, which only a Responses upstream can run).</summary>
    public IReadOnlyList<ResponsesFunctionTool> Tools { get; init; } = [];

    /// <summary>Hosted tools (<c>web_search</c>, <c>file_search</c>, namespaces …) by type, which a translation cannot offer.</summary>
    public IReadOnlyList<string> HostedTools { get; init; } = [];

    public ResponsesToolChoice ToolChoice { get; init; } = ResponsesToolChoice.Auto;

    /// <summary>The function a <c>tool_choice</c> of type function names.</summary>
    public string? ToolChoiceFunction { get; init; }

    public int? MaxOutputTokens { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public bool? ParallelToolCalls { get; init; }

    /// <summary><c>text.format</c>: text (null), <c>json_object</c> or <c>json_schema</c>.</summary>
    public ResponsesTextFormat? TextFormat { get; init; }

    /// <summary><c>reasoning.effort</c> (<c>minimal</c>, <c>low</c>, <c>medium</c>, <c>high</c>), a hint.</summary>
    public string? ReasoningEffort { get; init; }

    /// <summary><c>user</c> or <c>safety_identifier</c>, an end-user id for the upstream's abuse checks.</summary>
    public string? User { get; init; }

    /// <summary>Fields the translation must refuse (a stored prompt template, stop sequences …), first one wins.</summary>
    public string? UntranslatableField { get; init; }
}

internal enum ResponsesToolChoice
{
    Auto,
    None,
    Required,
    Function,
}

/// <summary><c>text.format</c> of type <c>json_object</c> (no schema) or <c>json_schema</c>.</summary>
internal sealed record ResponsesTextFormat(string Type, string? Name, JsonElement? Schema, bool? Strict);

/// <summary>A <c>function</c> tool: name, description and JSON Schema parameters (kept as JSON).</summary>
internal sealed record ResponsesFunctionTool(string Name, string? Description, JsonElement? Parameters, bool? Strict);

/// <summary>One input item.</summary>
internal abstract record ResponsesItem;

/// <summary>A message: role <c>user</c>, <c>assistant</c>, <c>system</c> or <c>developer</c>, with text and image parts.</summary>
internal sealed record ResponsesMessage(string Role, IReadOnlyList<ResponsesContentPart> Content) : ResponsesItem;

/// <summary>A function call the model made earlier (sent back by the client with the history).</summary>
internal sealed record ResponsesFunctionCall(string CallId, string Name, string Arguments) : ResponsesItem;

/// <summary>The client's result of a function call.</summary>
internal sealed record ResponsesFunctionCallOutput(string CallId, string Output) : ResponsesItem;

/// <summary>
/// A reasoning item from an earlier turn (Codex sends them back with <c>encrypted_content</c>): only the model family that
/// produced it can read it, so a translation leaves it out.
/// </summary>
internal sealed record ResponsesReasoning : ResponsesItem
{
    public static ResponsesReasoning Instance { get; } = new();
}

internal abstract record ResponsesContentPart;

/// <summary><c>input_text</c> or <c>output_text</c>.</summary>
internal sealed record ResponsesText(string Text) : ResponsesContentPart;

/// <summary><c>input_image</c> with an https URL or a data URL; <c>detail</c> low / high / auto.</summary>
internal sealed record ResponsesImage(string Url, string? Detail) : ResponsesContentPart;
