using System.Text.Json;
using Portal.Core.Common;

namespace Portal.Relay.Errors;

/// <summary>
/// The fields of a <c>/v1/chat/completions</c> body that the relay decides on — found with one
/// <see cref="Utf8JsonReader"/> pass that checks the whole body is well-formed JSON but materialises nothing else.
/// </summary>
/// <param name="Model">The public model id the client asked for.</param>
/// <param name="MessageCount">Number of messages (at least one).</param>
/// <param name="Stream">True for <c>"stream": true</c>.</param>
/// <param name="MaxOutputTokens"><c>max_completion_tokens</c>, else <c>max_tokens</c>; null when neither is sent.</param>
/// <param name="IncludeUsage">The client's <c>stream_options.include_usage</c>.</param>
public sealed record ChatRequestShape(string Model, int MessageCount, bool Stream, int? MaxOutputTokens, bool IncludeUsage)
{
    /// <summary>The features the request uses that a model may lack (tools, image parts, JSON mode), found in the same pass.</summary>
    public RequestFeatures Features { get; init; }

    private static readonly string[] Roles = ["system", "developer", "user", "assistant", "tool", "function"];

    /// <summary>
    /// Validates the body the way OpenAI does for what the relay relies on: a JSON object; <c>model</c> a non-empty
    /// string; <c>messages</c> a non-empty array of objects each with a known string <c>role</c>; <c>stream</c> a
    /// boolean; <c>max_tokens</c> / <c>max_completion_tokens</c> positive integers; <c>stream_options</c> an object
    /// (only with <c>stream: true</c>) whose <c>include_usage</c> is a boolean. Other fields pass through unchecked: the
    /// upstream validates them. The body must pass <see cref="RequestJson.IsWellFormed"/> (depth, UTF-8, escapes).
    /// </summary>
    public static Result<ChatRequestShape> Validate(ReadOnlySpan<byte> json)
    {
        if (!RequestJson.IsWellFormed(json)) return InvalidRequestError.MalformedJson;
        try
        {
            return ValidateCore(json);
        }
        catch (JsonException)
        {
            return InvalidRequestError.MalformedJson;
        }
    }

    private static Result<ChatRequestShape> ValidateCore(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, RequestJson.ReaderOptions);
        if (!reader.Read()) return InvalidRequestError.MalformedJson;
        if (reader.TokenType != JsonTokenType.StartObject)
            return new InvalidRequestError("The request body must be a JSON object.", null, "invalid_type");

        string? model = null;
        int? messageCount = null, maxTokens = null, maxCompletionTokens = null;
        bool? stream = null, includeUsage = null;
        var hasStreamOptions = false;
        var features = RequestFeatures.None;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String) return InvalidRequestError.WrongType("model", "a string");
                model = reader.GetString();
                if (string.IsNullOrWhiteSpace(model)) return InvalidRequestError.Missing("model");
            }
            else if (reader.ValueTextEquals("messages"u8))
            {
                reader.Read();
                var messages = ReadMessages(ref reader, ref features);
                if (!messages.IsSuccess) return messages.Error;
                messageCount = messages.Value;
            }
            else if (reader.ValueTextEquals("stream"u8))
            {
                reader.Read();
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null))
                    return InvalidRequestError.WrongType("stream", "a boolean");
                stream = reader.TokenType == JsonTokenType.True;
            }
            else if (reader.ValueTextEquals("max_tokens"u8))
            {
                reader.Read();
                var value = ReadPositiveInt(ref reader, "max_tokens");
                if (!value.IsSuccess) return value.Error;
                maxTokens = value.Value;
            }
            else if (reader.ValueTextEquals("max_completion_tokens"u8))
            {
                reader.Read();
                var value = ReadPositiveInt(ref reader, "max_completion_tokens");
                if (!value.IsSuccess) return value.Error;
                maxCompletionTokens = value.Value;
            }
            else if (reader.ValueTextEquals("tools"u8) || reader.ValueTextEquals("functions"u8))
            {
                reader.Read();
                if (CountItems(ref reader) > 0) features |= RequestFeatures.Tools;
            }
            else if (reader.ValueTextEquals("response_format"u8))
            {
                reader.Read();
                if (TypeIs(ref reader, "json_object"u8, "json_schema"u8)) features |= RequestFeatures.JsonMode;
            }
            else if (reader.ValueTextEquals("stream_options"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null) continue;
                if (reader.TokenType != JsonTokenType.StartObject) return InvalidRequestError.WrongType("stream_options", "an object");
                hasStreamOptions = true;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isIncludeUsage = reader.ValueTextEquals("include_usage"u8);
                    reader.Read();
                    if (!isIncludeUsage)
                    {
                        reader.Skip();
                        continue;
                    }

                    if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                        return InvalidRequestError.WrongType("stream_options.include_usage", "a boolean");
                    includeUsage = reader.TokenType == JsonTokenType.True;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        // The reader only proves the document is complete once it has been asked for what follows the root object.
        if (reader.Read()) return InvalidRequestError.MalformedJson;

        if (model is null) return InvalidRequestError.Missing("model");
        if (messageCount is null) return InvalidRequestError.Missing("messages");
        if (hasStreamOptions && stream != true)
            return InvalidRequestError.InvalidValue("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.");

        return new ChatRequestShape(model, messageCount.Value, stream == true, maxCompletionTokens ?? maxTokens, includeUsage == true) { Features = features };
    }

    /// <summary>The items of the array the reader is on (skipped), 0 for anything else (skipped too).</summary>
    private static int CountItems(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return 0;
        }

        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            count++;
            reader.Skip();
        }

        return count;
    }

    /// <summary>True when the reader is on an object whose <c>type</c> is one of the two values (the object is consumed either way).</summary>
    private static bool TypeIs(ref Utf8JsonReader reader, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return false;
        }

        var matches = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            reader.Read();
            if (isType && reader.TokenType == JsonTokenType.String) matches |= reader.ValueTextEquals(first) || reader.ValueTextEquals(second);
            else reader.Skip();
        }

        return matches;
    }

    /// <summary>True when a message's <c>content</c> (the reader is on it) has an image part; the content is consumed.</summary>
    private static bool HasImagePart(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return false;
        }

        var found = false;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            found |= TypeIs(ref reader, "image_url"u8, "input_image"u8);
        return found;
    }

    private static Result<int> ReadMessages(ref Utf8JsonReader reader, ref RequestFeatures features)
    {
        if (reader.TokenType != JsonTokenType.StartArray) return InvalidRequestError.WrongType("messages", "an array");
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject) return InvalidRequestError.WrongType(Param(count), "an object");
            var hasRole = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isRole = reader.ValueTextEquals("role"u8);
                var isContent = !isRole && reader.ValueTextEquals("content"u8);
                reader.Read();
                if (isContent)
                {
                    if (HasImagePart(ref reader)) features |= RequestFeatures.Images;
                    continue;
                }

                if (!isRole)
                {
                    reader.Skip();
                    continue;
                }

                if (reader.TokenType != JsonTokenType.String) return InvalidRequestError.WrongType(Param(count) + ".role", "a string");
                var known = false;
                foreach (var role in Roles) known |= reader.ValueTextEquals(role);
                if (!known)
                    return InvalidRequestError.InvalidValue(Param(count) + ".role", $"Invalid value for '{Param(count)}.role': expected one of 'system', 'developer', 'user', 'assistant', 'tool'.");
                hasRole = true;
            }

            if (!hasRole) return InvalidRequestError.Missing(Param(count) + ".role");
            count++;
        }

        if (count == 0) return InvalidRequestError.InvalidValue("messages", "Invalid 'messages': empty array. Expected an array with minimum length 1.");
        return count;

        static string Param(int index) => $"messages[{index}]"; // built only on the error path
    }

    private static Result<int?> ReadPositiveInt(ref Utf8JsonReader reader, string param)
    {
        if (reader.TokenType == JsonTokenType.Null) return Result<int?>.Success(null);
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var value))
            return InvalidRequestError.WrongType(param, "an integer");
        if (value < 1) return InvalidRequestError.InvalidValue(param, $"Invalid '{param}': integer below minimum value. Expected a value >= 1, but got {value} instead.");
        return (int?)value;
    }
}

/// <summary>Request features a model may not support (its catalog flags): checked before anything is held or forwarded.</summary>
[Flags]
public enum RequestFeatures
{
    None = 0,
    Tools = 1,
    Images = 2,
    JsonMode = 4,
}
