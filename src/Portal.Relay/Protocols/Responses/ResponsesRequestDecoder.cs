using System.Text.Json;
using Portal.Core.Common;
using Portal.Relay.Errors;

namespace Portal.Relay.Protocols.Responses;

/// <summary>
/// Validates and decodes a <c>POST /v1/responses</c> body (OpenAI's Responses API, stateless). What the relay needs is
/// checked the way OpenAI checks it and answered with OpenAI's error shape; fields the relay does not translate are
/// decided per field (see README, "The Responses API": translated, ignored when harmless, or refused when translating).
/// </summary>
/// <remarks>
/// Statefulness is refused outright: <c>store: true</c>, <c>previous_response_id</c>, <c>conversation</c>,
/// <c>background: true</c> and <c>item_reference</c> items would need the platform to keep conversation data, which it
/// never does. A missing <c>store</c> is taken as false (OpenAI's default is true, but nothing is stored here).
/// </remarks>
internal static class ResponsesRequestDecoder
{
    /// <summary>The hosted tool types a translation leaves out (the target cannot run them; the model answers without them).</summary>
    public static readonly IReadOnlySet<string> HostedToolTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "web_search", "web_search_preview", "web_search_preview_2025_03_11", "web_search_2025_08_26", "file_search",
        "code_interpreter", "image_generation", "computer_use_preview", "computer_use", "mcp", "local_shell", "namespace",
    };

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 128 };

    public static Result<ResponsesRequest> Decode(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), Options);
        }
        catch (JsonException)
        {
            return InvalidRequestError.MalformedJson;
        }

        using (document)
        {
            return Decode(document.RootElement);
        }
    }

    /// <summary>400 for the fields that would need stored conversation state.</summary>
    public static InvalidRequestError Stateless(string param) => new(
        param == "store"
            ? "This platform keeps no conversation data, so responses cannot be stored: send \"store\": false (or leave it out) and send the whole conversation in 'input' on every call."
            : $"This platform keeps no conversation data, so '{param}' cannot be used: send the whole conversation in 'input' on every call (with \"store\": false, as Codex CLI does).",
        param,
        "unsupported_parameter");

    private static Result<ResponsesRequest> Decode(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) return new InvalidRequestError("The request body must be a JSON object.", null, "invalid_type");

        string? model = null, instructions = null, toolChoiceFunction = null, reasoningEffort = null, user = null, untranslatable = null;
        List<ResponsesItem>? input = null;
        var tools = new List<ResponsesFunctionTool>();
        var hosted = new List<string>();
        var toolChoice = ResponsesToolChoice.Auto;
        int? maxOutputTokens = null;
        double? temperature = null, topP = null;
        bool? parallelToolCalls = null;
        var stream = false;
        ResponsesTextFormat? textFormat = null;

        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            var isNull = value.ValueKind == JsonValueKind.Null;
            switch (property.Name)
            {
                case "model":
                    if (value.ValueKind != JsonValueKind.String) return InvalidRequestError.WrongType("model", "a string");
                    model = value.GetString();
                    if (string.IsNullOrWhiteSpace(model)) return InvalidRequestError.Missing("model");
                    break;
                case "input":
                    var items = DecodeInput(value, ref untranslatable);
                    if (!items.IsSuccess) return items.Error;
                    input = items.Value;
                    break;
                case "instructions":
                    if (isNull) break;
                    if (value.ValueKind != JsonValueKind.String) return InvalidRequestError.WrongType("instructions", "a string");
                    instructions = value.GetString();
                    break;
                case "stream":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null)) return InvalidRequestError.WrongType("stream", "a boolean");
                    stream = value.ValueKind == JsonValueKind.True;
                    break;
                case "store":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null)) return InvalidRequestError.WrongType("store", "a boolean");
                    if (value.ValueKind == JsonValueKind.True) return Stateless("store");
                    break;
                case "background":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null)) return InvalidRequestError.WrongType("background", "a boolean");
                    if (value.ValueKind == JsonValueKind.True) return Stateless("background");
                    break;
                case "previous_response_id":
                case "conversation":
                    if (!isNull) return Stateless(property.Name);
                    break;
                case "max_output_tokens":
                    if (isNull) break;
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var max)) return InvalidRequestError.WrongType("max_output_tokens", "an integer");
                    if (max < 1) return InvalidRequestError.InvalidValue("max_output_tokens", "'max_output_tokens' must be at least 1.");
                    maxOutputTokens = max;
                    break;
                case "temperature":
                    var t = Number(value, "temperature", 0, 2);
                    if (!t.IsSuccess) return t.Error;
                    temperature = t.Value;
                    break;
                case "top_p":
                    var p = Number(value, "top_p", 0, 1);
                    if (!p.IsSuccess) return p.Error;
                    topP = p.Value;
                    break;
                case "parallel_tool_calls":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null)) return InvalidRequestError.WrongType("parallel_tool_calls", "a boolean");
                    parallelToolCalls = isNull ? null : value.ValueKind == JsonValueKind.True;
                    break;
                case "tools":
                    if (isNull) break;
                    var decodedTools = DecodeTools(value, tools, hosted, ref untranslatable);
                    if (decodedTools is not null) return decodedTools;
                    break;
                case "tool_choice":
                    var choice = DecodeToolChoice(value, ref toolChoiceFunction, ref untranslatable);
                    if (!choice.IsSuccess) return choice.Error;
                    toolChoice = choice.Value;
                    break;
                case "text":
                    if (isNull) break;
                    var format = DecodeText(value);
                    if (!format.IsSuccess) return format.Error;
                    textFormat = format.Value.Format;
                    break;
                case "reasoning":
                    if (isNull) break;
                    if (value.ValueKind != JsonValueKind.Object) return InvalidRequestError.WrongType("reasoning", "an object");
                    if (value.TryGetProperty("effort", out var effort) && effort.ValueKind == JsonValueKind.String) reasoningEffort = effort.GetString();
                    break;
                case "include":
                    if (isNull) break;
                    if (value.ValueKind != JsonValueKind.Array || value.EnumerateArray().Any(i => i.ValueKind != JsonValueKind.String))
                        return InvalidRequestError.WrongType("include", "an array of strings");
                    break;
                case "user":
                case "safety_identifier":
                    if (isNull) break;
                    if (value.ValueKind != JsonValueKind.String) return InvalidRequestError.WrongType(property.Name, "a string");
                    user ??= value.GetString();
                    break;
                case "prompt":
                case "max_tool_calls":
                case "top_logprobs":
                    // A stored prompt template lives at the upstream's account; the other two have no chat counterpart.
                    if (!isNull) untranslatable ??= property.Name;
                    break;
                default:
                    // metadata, prompt_cache_key, client_metadata, service_tier, truncation, stream_options …: routing and
                    // bookkeeping hints that do not change the answer; passed through, ignored by a translation.
                    break;
            }
        }

        if (model is null) return InvalidRequestError.Missing("model");
        if (input is null) return InvalidRequestError.Missing("input");
        if (toolChoice == ResponsesToolChoice.Function && tools.All(t => t.Name != toolChoiceFunction))
            return InvalidRequestError.InvalidValue("tool_choice", $"'tool_choice' names the function '{toolChoiceFunction}', which is not in 'tools'.");

        return new ResponsesRequest
        {
            Model = model,
            Stream = stream,
            Instructions = instructions,
            Input = input,
            Tools = tools,
            HostedTools = hosted,
            ToolChoice = toolChoice,
            ToolChoiceFunction = toolChoiceFunction,
            MaxOutputTokens = maxOutputTokens,
            Temperature = temperature,
            TopP = topP,
            ParallelToolCalls = parallelToolCalls,
            TextFormat = textFormat,
            ReasoningEffort = reasoningEffort,
            User = user,
            UntranslatableField = untranslatable,
        };
    }

    private static Result<double?> Number(JsonElement value, string param, double min, double max)
    {
        if (value.ValueKind == JsonValueKind.Null) return (double?)null;
        if (value.ValueKind != JsonValueKind.Number) return InvalidRequestError.WrongType(param, "a number");
        var number = value.GetDouble();
        if (number < min || number > max) return InvalidRequestError.InvalidValue(param, $"'{param}' must be between {min} and {max}.");
        return number;
    }

    private static Result<List<ResponsesItem>> DecodeInput(JsonElement value, ref string? untranslatable)
    {
        if (value.ValueKind == JsonValueKind.String)
            return new List<ResponsesItem> { new ResponsesMessage("user", [new ResponsesText(value.GetString()!)]) };
        if (value.ValueKind != JsonValueKind.Array) return InvalidRequestError.WrongType("input", "a string or an array of input items");

        var items = new List<ResponsesItem>();
        var index = 0;
        foreach (var element in value.EnumerateArray())
        {
            var param = $"input[{index}]";
            if (element.ValueKind != JsonValueKind.Object) return InvalidRequestError.WrongType(param, "an object");
            var type = element.TryGetProperty("type", out var typeElement) && typeElement.ValueKind == JsonValueKind.String ? typeElement.GetString() : null;
            if (type is null && element.TryGetProperty("type", out typeElement) && typeElement.ValueKind != JsonValueKind.Null)
                return InvalidRequestError.WrongType(param + ".type", "a string");
            type ??= element.TryGetProperty("role", out _) ? "message" : null;
            switch (type)
            {
                case null:
                    return InvalidRequestError.Missing(param + ".type");
                case "message":
                    var message = DecodeMessage(element, param, ref untranslatable);
                    if (!message.IsSuccess) return message.Error;
                    items.Add(message.Value);
                    break;
                case "function_call":
                    var callId = RequiredString(element, "call_id", param);
                    if (!callId.IsSuccess) return callId.Error;
                    var name = RequiredString(element, "name", param);
                    if (!name.IsSuccess) return name.Error;
                    var arguments = RequiredString(element, "arguments", param, allowEmpty: true);
                    if (!arguments.IsSuccess) return arguments.Error;
                    items.Add(new ResponsesFunctionCall(callId.Value, name.Value, arguments.Value));
                    break;
                case "function_call_output":
                    var outputCallId = RequiredString(element, "call_id", param);
                    if (!outputCallId.IsSuccess) return outputCallId.Error;
                    var output = DecodeOutput(element, param, ref untranslatable);
                    if (!output.IsSuccess) return output.Error;
                    items.Add(new ResponsesFunctionCallOutput(outputCallId.Value, output.Value));
                    break;
                case "reasoning":
                    items.Add(ResponsesReasoning.Instance);
                    break;
                case "item_reference":
                    return Stateless(param + " (item_reference)");
                default:
                    // Hosted tool calls and their outputs (web_search_call, local_shell_call, custom_tool_call …): a
                    // Responses upstream takes them; a translation cannot say them.
                    untranslatable ??= $"{param}.type ({type})";
                    break;
            }

            index++;
        }

        if (index == 0) return InvalidRequestError.InvalidValue("input", "'input' must not be an empty array.");
        return items;
    }

    private static Result<ResponsesItem> DecodeMessage(JsonElement element, string param, ref string? untranslatable)
    {
        if (!element.TryGetProperty("role", out var roleElement) || roleElement.ValueKind != JsonValueKind.String) return InvalidRequestError.Missing(param + ".role");
        var role = roleElement.GetString()!;
        if (role is not ("user" or "assistant" or "system" or "developer"))
            return InvalidRequestError.InvalidValue(param + ".role", $"Invalid value for '{param}.role': '{role}'. Supported values are: 'user', 'assistant', 'system' and 'developer'.");
        if (!element.TryGetProperty("content", out var content)) return InvalidRequestError.Missing(param + ".content");
        if (content.ValueKind == JsonValueKind.String) return new ResponsesMessage(role, [new ResponsesText(content.GetString()!)]);
        if (content.ValueKind != JsonValueKind.Array) return InvalidRequestError.WrongType(param + ".content", "a string or an array of content parts");

        var parts = new List<ResponsesContentPart>();
        var index = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partParam = $"{param}.content[{index++}]";
            if (part.ValueKind != JsonValueKind.Object) return InvalidRequestError.WrongType(partParam, "an object");
            if (!part.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String) return InvalidRequestError.Missing(partParam + ".type");
            switch (typeElement.GetString())
            {
                case "input_text" or "output_text" or "text":
                    var text = RequiredString(part, "text", partParam, allowEmpty: true);
                    if (!text.IsSuccess) return text.Error;
                    parts.Add(new ResponsesText(text.Value));
                    break;
                case "refusal":
                    var refusal = RequiredString(part, "refusal", partParam, allowEmpty: true);
                    if (!refusal.IsSuccess) return refusal.Error;
                    parts.Add(new ResponsesText(refusal.Value));
                    break;
                case "input_image":
                    if (part.TryGetProperty("image_url", out var url) && url.ValueKind == JsonValueKind.String && url.GetString() is { Length: > 0 } imageUrl)
                    {
                        var detail = part.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                        parts.Add(new ResponsesImage(imageUrl, detail));
                    }
                    else if (part.TryGetProperty("file_id", out var fileId) && fileId.ValueKind == JsonValueKind.String)
                    {
                        untranslatable ??= partParam + ".file_id";
                    }
                    else
                    {
                        return InvalidRequestError.Missing(partParam + ".image_url");
                    }

                    break;
                case var other:
                    // input_file, input_audio …: only a Responses upstream understands them.
                    untranslatable ??= $"{partParam}.type ({other})";
                    break;
            }
        }

        return new ResponsesMessage(role, parts);
    }

    private static Result<string> DecodeOutput(JsonElement element, string param, ref string? untranslatable)
    {
        if (!element.TryGetProperty("output", out var output)) return InvalidRequestError.Missing(param + ".output");
        if (output.ValueKind == JsonValueKind.String) return output.GetString()!;
        if (output.ValueKind != JsonValueKind.Array) return InvalidRequestError.WrongType(param + ".output", "a string or an array of content parts");
        var text = new System.Text.StringBuilder();
        foreach (var part in output.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                && type.GetString() is "input_text" or "output_text" && part.TryGetProperty("text", out var partText) && partText.ValueKind == JsonValueKind.String)
                text.Append(partText.GetString());
            else
                untranslatable ??= param + ".output";
        }

        return text.ToString();
    }

    private static InvalidRequestError? DecodeTools(JsonElement value, List<ResponsesFunctionTool> tools, List<string> hosted, ref string? untranslatable)
    {
        if (value.ValueKind != JsonValueKind.Array) return InvalidRequestError.WrongType("tools", "an array");
        var index = 0;
        foreach (var tool in value.EnumerateArray())
        {
            var param = $"tools[{index++}]";
            if (tool.ValueKind != JsonValueKind.Object) return InvalidRequestError.WrongType(param, "an object");
            if (!tool.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String) return InvalidRequestError.Missing(param + ".type");
            var type = typeElement.GetString()!;
            if (type == "function")
            {
                var name = RequiredString(tool, "name", param);
                if (!name.IsSuccess) return (InvalidRequestError)name.Error;
                var description = tool.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                JsonElement? parameters = tool.TryGetProperty("parameters", out var p) && p.ValueKind == JsonValueKind.Object ? p.Clone() : null;
                if (tool.TryGetProperty("parameters", out p) && p.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
                    return InvalidRequestError.WrongType(param + ".parameters", "an object");
                bool? strict = tool.TryGetProperty("strict", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False ? s.ValueKind == JsonValueKind.True : null;
                tools.Add(new ResponsesFunctionTool(name.Value, description, parameters, strict));
            }
            else if (HostedToolTypes.Contains(type))
            {
                hosted.Add(type);
            }
            else
            {
                // custom (free-form grammar) tools and types this relay does not know: a Responses upstream decides.
                untranslatable ??= $"{param}.type ({type})";
            }
        }

        return null;
    }

    private static Result<ResponsesToolChoice> DecodeToolChoice(JsonElement value, ref string? function, ref string? untranslatable)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return ResponsesToolChoice.Auto;
            case JsonValueKind.String:
                return value.GetString() switch
                {
                    "auto" => ResponsesToolChoice.Auto,
                    "none" => ResponsesToolChoice.None,
                    "required" => ResponsesToolChoice.Required,
                    var other => InvalidRequestError.InvalidValue("tool_choice", $"Invalid value for 'tool_choice': '{other}'. Supported values are: 'auto', 'none' and 'required', or an object."),
                };
            case JsonValueKind.Object:
                if (!value.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String) return InvalidRequestError.Missing("tool_choice.type");
                if (type.GetString() != "function")
                {
                    // A hosted tool or an allowed_tools list forced by the client: only a Responses upstream can honour it.
                    untranslatable ??= "tool_choice";
                    return ResponsesToolChoice.Auto;
                }

                var name = RequiredString(value, "name", "tool_choice");
                if (!name.IsSuccess) return name.Error;
                function = name.Value;
                return ResponsesToolChoice.Function;
            default:
                return InvalidRequestError.WrongType("tool_choice", "a string or an object");
        }
    }

    private readonly record struct TextSettings(ResponsesTextFormat? Format);

    private static Result<TextSettings> DecodeText(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object) return InvalidRequestError.WrongType("text", "an object");
        if (!value.TryGetProperty("format", out var format) || format.ValueKind == JsonValueKind.Null) return new TextSettings(null);
        if (format.ValueKind != JsonValueKind.Object) return InvalidRequestError.WrongType("text.format", "an object");
        if (!format.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String) return InvalidRequestError.Missing("text.format.type");
        switch (type.GetString())
        {
            case "text":
                return new TextSettings(null);
            case "json_object":
                return new TextSettings(new ResponsesTextFormat("json_object", null, null, null));
            case "json_schema":
                var name = RequiredString(format, "name", "text.format");
                if (!name.IsSuccess) return name.Error;
                if (!format.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object) return InvalidRequestError.Missing("text.format.schema");
                bool? strict = format.TryGetProperty("strict", out var s) && s.ValueKind is JsonValueKind.True or JsonValueKind.False ? s.ValueKind == JsonValueKind.True : null;
                return new TextSettings(new ResponsesTextFormat("json_schema", name.Value, schema.Clone(), strict));
            case var other:
                return InvalidRequestError.InvalidValue("text.format.type", $"Invalid value for 'text.format.type': '{other}'. Supported values are: 'text', 'json_object' and 'json_schema'.");
        }
    }

    private static Result<string> RequiredString(JsonElement element, string property, string param, bool allowEmpty = false)
    {
        if (!element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null) return InvalidRequestError.Missing($"{param}.{property}");
        if (value.ValueKind != JsonValueKind.String) return InvalidRequestError.WrongType($"{param}.{property}", "a string");
        var text = value.GetString()!;
        if (!allowEmpty && text.Length == 0) return InvalidRequestError.InvalidValue($"{param}.{property}", $"'{param}.{property}' must not be empty.");
        return text;
    }
}
