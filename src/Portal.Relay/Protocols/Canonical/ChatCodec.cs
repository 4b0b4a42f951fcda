using System.Buffers;
using Portal.Core.Features.Catalog;
using Portal.Relay.Streaming;

namespace Portal.Relay.Protocols.Canonical;

/// <summary>
/// A request or answer cannot be translated: malformed for its family, or it uses a field the target family cannot
/// express. <see cref="Param"/> names the field; the relay answers 400 in the client's error shape.
/// </summary>
public sealed class TranslationException(string message, string? param = null) : Exception(message)
{
    public string? Param { get; } = param;

    /// <summary>A field the target cannot express: a 400 that names it instead of silently changing the answer.</summary>
    public static TranslationException Unsupported(string field, string target) =>
        new($"`{field}` cannot be translated to the {target} API of the channel serving this model; remove it or use a model served natively.", field);
}

/// <summary>An upstream error as the canonical model carries it: HTTP status, the family-neutral kind, the message.</summary>
public sealed record UpstreamError(int Status, string Message, string? Type = null);

/// <summary>
/// One wire family's chat codec: wire ⇄ canonical for requests, whole answers, stream events and errors. Streaming
/// translators are small state machines created per request (<see cref="CreateStreamDecoder"/>,
/// <see cref="CreateStreamEncoder"/>); they never buffer a whole answer.
/// </summary>
public interface IChatCodec
{
    WireFamily Family { get; }

    /// <summary>The family's name in error messages (<c>OpenAI chat completions</c>, <c>Anthropic Messages</c> …).</summary>
    string ApiName { get; }

    /// <summary>Client request → canonical. Throws <see cref="TranslationException"/> for a malformed request.</summary>
    ChatRequest DecodeRequest(ReadOnlySpan<byte> json);

    /// <summary>Canonical → upstream request body for <paramref name="upstreamModel"/>. Throws <see cref="TranslationException"/> naming a field the family cannot express.</summary>
    void EncodeRequest(ChatRequest request, string upstreamModel, IBufferWriter<byte> output);

    /// <summary>Upstream whole answer → canonical. Throws <see cref="TranslationException"/> when it is not an answer of this family.</summary>
    ChatResponse DecodeResponse(ReadOnlySpan<byte> json);

    /// <summary>Canonical answer → client body; <paramref name="publicModel"/> is the model id the client asked for.</summary>
    void EncodeResponse(ChatResponse response, string publicModel, IBufferWriter<byte> output);

    /// <summary>Reads an upstream error body of this family (best effort: a body that is not JSON keeps the status and a generic message).</summary>
    UpstreamError DecodeError(int status, ReadOnlySpan<byte> body);

    /// <summary>An error body in this family's shape, for the client.</summary>
    byte[] EncodeError(UpstreamError error);

    /// <summary>A decoder for one upstream stream of this family.</summary>
    IStreamDecoder CreateStreamDecoder();

    /// <summary>An encoder for one client stream of this family.</summary>
    IStreamEncoder CreateStreamEncoder(StreamEncoding options);
}

/// <summary>What a client stream encoder needs to know about the request.</summary>
public sealed record StreamEncoding(string PublicModel, bool IncludeUsage, long Created);

/// <summary>Turns one upstream stream's events into canonical events, keeping whatever state the family needs.</summary>
public interface IStreamDecoder
{
    /// <summary>Appends the canonical events <paramref name="sseEvent"/> stands for to <paramref name="output"/> (often none or one).</summary>
    void Decode(in SseEvent sseEvent, List<StreamEvent> output);
}

/// <summary>Writes canonical events as one client stream of this family (SSE bytes), keeping the state the family needs (open blocks, indexes).</summary>
public interface IStreamEncoder
{
    void Encode(StreamEvent streamEvent, IBufferWriter<byte> output);

    /// <summary>The family's in-stream error event, for an upstream that broke off after the first byte.</summary>
    void EncodeError(UpstreamError error, IBufferWriter<byte> output);
}
