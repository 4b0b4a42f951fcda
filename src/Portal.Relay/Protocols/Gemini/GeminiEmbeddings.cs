using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using Portal.Core.Common;
using Portal.Relay.Errors;
using Portal.Relay.Tokens;

namespace Portal.Relay.Protocols.Gemini;

/// <summary>
/// <c>/v1/embeddings</c> on a Gemini channel: the OpenAI body becomes one <c>:batchEmbedContents</c> call (one request per
/// input string, <c>dimensions</c> as <c>outputDimensionality</c>), and Gemini's vectors come back in OpenAI's list shape
/// (floats, or little-endian float32 in base64 for <c>encoding_format: "base64"</c>, the SDKs' default). Gemini reports
/// no token usage for embeddings, so the relay counts the input with the model's tokenizer and marks it estimated.
/// </summary>
internal static class GeminiEmbeddings
{
    /// <summary>The Gemini body, or a 400 for what Gemini cannot take (token-id arrays).</summary>
    public static Result<byte[]> EncodeRequest(ReadOnlySpan<byte> openAiBody, string upstreamModel)
    {
        using var document = JsonDocument.Parse(openAiBody.ToArray());
        var root = document.RootElement;
        int? dimensions = root.TryGetProperty("dimensions", out var d) && d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out var requested) && requested > 0 ? requested : null;
        var input = root.GetProperty("input");
        var texts = new List<string>();
        if (input.ValueKind == JsonValueKind.String)
        {
            texts.Add(input.GetString()!);
        }
        else
        {
            foreach (var item in input.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                    return new InvalidRequestError("Gemini embedding models take text only: send 'input' as a string or an array of strings, not token ids.", "input", "invalid_value");
                texts.Add(item.GetString()!);
            }
        }

        var resource = GeminiEndpoints.ModelResource(upstreamModel);
        var request = new GeminiBatchEmbedRequest
        {
            Requests = texts.Select(t => new GeminiEmbedRequest
            {
                Model = resource,
                Content = new GeminiContent { Parts = [new GeminiPart { Text = t }] },
                OutputDimensionality = dimensions,
            }).ToList(),
        };
        return JsonSerializer.SerializeToUtf8Bytes(request, GeminiJsonContext.Default.GeminiBatchEmbedRequest);
    }

    /// <summary>OpenAI's embeddings list for Gemini's answer; null when the answer is not Gemini's batch shape.</summary>
    public static byte[]? DecodeResponse(ReadOnlySpan<byte> geminiBody, string publicModel, bool base64, long promptTokens)
    {
        GeminiBatchEmbedResponse? response;
        try
        {
            response = JsonSerializer.Deserialize(geminiBody, GeminiJsonContext.Default.GeminiBatchEmbedResponse);
        }
        catch (JsonException)
        {
            return null;
        }

        if (response?.Embeddings is not { } embeddings) return null;
        var buffer = new ArrayBufferWriter<byte>(256 + (embeddings.Sum(e => e.Values.Count) * 12));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("object"u8, "list"u8);
            writer.WriteStartArray("data"u8);
            for (var i = 0; i < embeddings.Count; i++)
            {
                var values = embeddings[i].Values;
                writer.WriteStartObject();
                writer.WriteString("object"u8, "embedding"u8);
                writer.WriteNumber("index"u8, i);
                if (base64)
                {
                    var bytes = new byte[values.Count * sizeof(float)];
                    for (var j = 0; j < values.Count; j++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(j * sizeof(float)), values[j]);
                    writer.WriteBase64String("embedding"u8, bytes);
                }
                else
                {
                    writer.WriteStartArray("embedding"u8);
                    foreach (var value in values) writer.WriteNumberValue(value);
                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteString("model"u8, publicModel);
            writer.WriteStartObject("usage"u8);
            writer.WriteNumber("prompt_tokens"u8, promptTokens);
            writer.WriteNumber("total_tokens"u8, promptTokens);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The usage to bill: Gemini reports none for embeddings, so it is the tokenizer's count, estimated.</summary>
    public static TokenUsage Usage(long promptTokens) => new(promptTokens, 0, 0, IsEstimated: true);
}
