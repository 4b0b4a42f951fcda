using System.Text.Json;
using Portal.Core.Common;

namespace Portal.Relay.Errors;

/// <summary>The fields of a <c>/v1/embeddings</c> body the relay decides on, found in one <see cref="Utf8JsonReader"/> pass.</summary>
/// <param name="Model">The public model id.</param>
/// <param name="InputCount">Number of inputs: 1 for a string or a single token array, else the array's length.</param>
public sealed record EmbeddingsRequestShape(string Model, int InputCount)
{
    /// <summary>The most inputs one request may embed (OpenAI's limit).</summary>
    public const int MaxInputs = 2048;

    /// <summary>
    /// Validates: a JSON object; <c>model</c> a non-empty string; <c>input</c> a non-empty string, or a non-empty array of
    /// strings, of token ids, or of token-id arrays (at most <see cref="MaxInputs"/> items); <c>dimensions</c> a positive
    /// integer; <c>encoding_format</c> <c>float</c> or <c>base64</c>. The body must pass <see cref="RequestJson.IsWellFormed"/>.
    /// </summary>
    public static Result<EmbeddingsRequestShape> Validate(ReadOnlySpan<byte> json)
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

    private static Result<EmbeddingsRequestShape> ValidateCore(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, RequestJson.ReaderOptions);
        if (!reader.Read()) return InvalidRequestError.MalformedJson;
        if (reader.TokenType != JsonTokenType.StartObject)
            return new InvalidRequestError("The request body must be a JSON object.", null, "invalid_type");

        string? model = null;
        int? inputCount = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String) return InvalidRequestError.WrongType("model", "a string");
                model = reader.GetString();
                if (string.IsNullOrWhiteSpace(model)) return InvalidRequestError.Missing("model");
            }
            else if (reader.ValueTextEquals("input"u8))
            {
                reader.Read();
                var input = ReadInput(ref reader);
                if (!input.IsSuccess) return input.Error;
                inputCount = input.Value;
            }
            else if (reader.ValueTextEquals("dimensions"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null) continue;
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out var dimensions)) return InvalidRequestError.WrongType("dimensions", "an integer");
                if (dimensions < 1) return InvalidRequestError.InvalidValue("dimensions", $"Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got {dimensions} instead.");
            }
            else if (reader.ValueTextEquals("encoding_format"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null) continue;
                if (reader.TokenType != JsonTokenType.String || !(reader.ValueTextEquals("float"u8) || reader.ValueTextEquals("base64"u8)))
                    return InvalidRequestError.InvalidValue("encoding_format", "Invalid 'encoding_format': expected one of 'float', 'base64'.");
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.Read()) return InvalidRequestError.MalformedJson;
        if (model is null) return InvalidRequestError.Missing("model");
        if (inputCount is null) return InvalidRequestError.Missing("input");
        return new EmbeddingsRequestShape(model, inputCount.Value);
    }

    private static Result<int> ReadInput(ref Utf8JsonReader reader)
    {
        const string expected = "a string, an array of strings, an array of integers, or an array of integer arrays";
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.ValueSpan.IsEmpty
                ? InvalidRequestError.InvalidValue("input", "'input' must not be empty.")
                : 1;
        }

        if (reader.TokenType != JsonTokenType.StartArray) return InvalidRequestError.WrongType("input", expected);
        int strings = 0, numbers = 0, arrays = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.String:
                    if (reader.ValueSpan.IsEmpty) return InvalidRequestError.InvalidValue("input", "'input' must not contain empty strings.");
                    strings++;
                    break;
                case JsonTokenType.Number:
                    numbers++;
                    break;
                case JsonTokenType.StartArray:
                    var length = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.Number) return InvalidRequestError.WrongType("input", expected);
                        length++;
                    }

                    if (length == 0) return InvalidRequestError.InvalidValue("input", "'input' must not contain empty token arrays.");
                    arrays++;
                    break;
                default:
                    return InvalidRequestError.WrongType("input", expected);
            }
        }

        if (strings + arrays > MaxInputs) return InvalidRequestError.InvalidValue("input", $"'input' must not have more than {MaxInputs} items.");
        var kinds = (strings > 0 ? 1 : 0) + (numbers > 0 ? 1 : 0) + (arrays > 0 ? 1 : 0);
        if (kinds == 0) return InvalidRequestError.InvalidValue("input", "'input' must not be an empty array.");
        if (kinds > 1) return InvalidRequestError.WrongType("input", expected);
        return numbers > 0 ? 1 : strings + arrays;
    }
}
