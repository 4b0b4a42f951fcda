using System.Buffers;
using Portal.Relay.Streaming;

namespace Portal.Relay.Protocols.Responses;

/// <summary>
/// The body a Responses pass-through sends upstream: the client's bytes with the model id mapped and, unless the client
/// already said so, <c>"store": false</c> added first, so the upstream keeps no conversation data either (OpenAI's
/// default is to store). Everything else passes byte for byte.
/// </summary>
internal static class ResponsesPassThrough
{
    private static ReadOnlySpan<byte> StoreFalse => "\"store\":false,"u8;

    public static void Rewrite(ReadOnlySpan<byte> body, ResponsesRequest request, string upstreamModel, IBufferWriter<byte> output)
    {
        if (request.StoreFalseSent)
        {
            RequestBodyRewriter.Rewrite(body, upstreamModel, ensureUsageWhenStreaming: false, output);
            return;
        }

        // The decoder proved the body is an object with at least model and input, so the insertion keeps it valid JSON.
        var open = body.IndexOf((byte)'{');
        using var withStore = new PooledByteBuffer(body.Length + StoreFalse.Length);
        Write(withStore, body[..(open + 1)]);
        Write(withStore, StoreFalse);
        Write(withStore, body[(open + 1)..]);
        RequestBodyRewriter.Rewrite(withStore.WrittenSpan, upstreamModel, ensureUsageWhenStreaming: false, output);
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
