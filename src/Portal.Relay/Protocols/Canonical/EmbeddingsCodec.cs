using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using Portal.Core.Features.Catalog;
using Portal.Relay.Forwarding;

namespace Portal.Relay.Protocols.Canonical;

/// <summary>
/// One wire family's embeddings codec: an OpenAI <c>/v1/embeddings</c> body → the family's embeddings request, and the
/// family's answer → vectors (and usage when the upstream reports it). The OpenAI answer the client gets is written by
/// <see cref="OpenAIEmbeddingsAnswer"/>. OpenAI-family channels take the body as it is and need no codec.
/// </summary>
internal interface IEmbeddingsCodec
{
    WireFamily Family { get; }

    /// <summary>
    /// Writes the upstream request for <paramref name="openAiBody"/> (already validated by
    /// <c>EmbeddingsRequestShape</c>) and returns the endpoint it goes to. Throws <see cref="TranslationException"/>
    /// naming a field the family cannot express.
    /// </summary>
    UpstreamEndpoint EncodeRequest(ReadOnlySpan<byte> openAiBody, string upstreamModel, IBufferWriter<byte> output);

    /// <summary>The upstream's answer. Throws <see cref="TranslationException"/> when it is not an embeddings answer of this family.</summary>
    EmbeddingsAnswer DecodeResponse(ReadOnlySpan<byte> body);

    UpstreamError DecodeError(int status, ReadOnlySpan<byte> body);
}

/// <summary>Vectors in input order, each the raw JSON array of numbers the upstream sent; the input tokens when reported.</summary>
internal sealed record EmbeddingsAnswer(IReadOnlyList<JsonElement> Vectors, long? PromptTokens);

/// <summary>Writes an <see cref="EmbeddingsAnswer"/> as OpenAI's <c>/v1/embeddings</c> answer.</summary>
internal static class OpenAIEmbeddingsAnswer
{
    /// <summary>
    /// <c>{"object":"list","data":[{"object":"embedding","index":i,"embedding":…}],"model":…,"usage":{…}}</c>. Floats are
    /// copied as the upstream wrote them; <paramref name="base64"/> gives little-endian float32 in base64, as OpenAI does
    /// for <c>encoding_format: "base64"</c> (the openai SDKs' default).
    /// </summary>
    public static void Write(EmbeddingsAnswer answer, string publicModel, bool base64, long promptTokens, IBufferWriter<byte> output) =>
        WireJson.Write(output, (answer, publicModel, base64, promptTokens), static (w, s) =>
        {
            w.WriteStartObject();
            w.WriteString("object"u8, "list"u8);
            w.WriteStartArray("data"u8);
            for (var i = 0; i < s.answer.Vectors.Count; i++)
            {
                var vector = s.answer.Vectors[i];
                w.WriteStartObject();
                w.WriteString("object"u8, "embedding"u8);
                w.WriteNumber("index"u8, i);
                if (s.base64)
                {
                    var bytes = new byte[vector.GetArrayLength() * sizeof(float)];
                    var j = 0;
                    foreach (var value in vector.EnumerateArray())
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(j * sizeof(float)), value.GetSingle());
                        j++;
                    }

                    w.WriteBase64String("embedding"u8, bytes);
                }
                else
                {
                    w.WritePropertyName("embedding"u8);
                    vector.WriteTo(w);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("model"u8, s.publicModel);
            w.WriteStartObject("usage"u8);
            w.WriteNumber("prompt_tokens"u8, s.promptTokens);
            w.WriteNumber("total_tokens"u8, s.promptTokens);
            w.WriteEndObject();
            w.WriteEndObject();
        });

    /// <summary>True for <c>"encoding_format": "base64"</c>.</summary>
    public static bool WantsBase64(ReadOnlySpan<byte> openAiBody)
    {
        var reader = new Utf8JsonReader(openAiBody);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isFormat = reader.ValueTextEquals("encoding_format"u8);
            reader.Read();
            if (isFormat) return reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("base64"u8);
            reader.Skip();
        }

        return false;
    }
}
