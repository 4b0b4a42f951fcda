using System.Buffers;
using System.Text.Json;
using Portal.Relay.Streaming;

namespace Portal.Relay.Protocols.Responses;

/// <summary>
/// The body a Responses pass-through sends upstream: the client's bytes with the model id mapped and, unless the client
/// already said <c>"store": false</c>, that added first, so the upstream keeps no conversation data either (OpenAI's
/// default is to store). Everything else passes byte for byte.
/// </summary>
internal static class ResponsesPassThrough
{
    private static ReadOnlySpan<byte> StoreFalse => "\"store\":false,"u8;

    /// <remarks>The surface validated the body (an object with model and input), so the insertion keeps it valid JSON.</remarks>
    public static void Rewrite(ReadOnlySpan<byte> body, string upstreamModel, IBufferWriter<byte> output)
    {
        if (SaysStoreFalse(body))
        {
            RequestBodyRewriter.Rewrite(body, upstreamModel, ensureUsageWhenStreaming: false, output);
            return;
        }

        var open = body.IndexOf((byte)'{');
        using var withStore = new PooledByteBuffer(body.Length + StoreFalse.Length);
        Write(withStore, body[..(open + 1)]);
        Write(withStore, StoreFalse);
        Write(withStore, body[(open + 1)..]);
        RequestBodyRewriter.Rewrite(withStore.WrittenSpan, upstreamModel, ensureUsageWhenStreaming: false, output);
    }

    private static bool SaysStoreFalse(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
        var storeFalse = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isStore = reader.ValueTextEquals("store"u8);
            reader.Read();
            if (isStore) storeFalse = reader.TokenType == JsonTokenType.False;
            reader.Skip();
        }

        return storeFalse;
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
