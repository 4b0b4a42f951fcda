using System.Buffers;
using Portal.Relay.Errors;
using Portal.Relay.Protocols.Responses;
using Portal.Relay.Streaming;
using Portal.Relay.Tokens;

namespace Portal.Relay.Endpoints;

/// <summary>What one upstream event did to the client's stream.</summary>
internal enum StreamStep
{
    /// <summary>Nothing for the client (e.g. a usage-only chunk it did not ask for).</summary>
    Skipped,

    /// <summary>Bytes were written; flush them.</summary>
    Written,

    /// <summary>Bytes were written and the answer is complete.</summary>
    End,
}

/// <summary>
/// How a streamed upstream answer reaches the client: as is (same wire) or translated, metered on the way. The relay's
/// stream loop (flushing, the client going away, the upstream breaking off) is the same for all of them.
/// </summary>
internal interface IAnswerStream : IDisposable
{
    /// <summary>Writes what the client gets for one upstream event.</summary>
    StreamStep Write(in SseEvent sseEvent, IBufferWriter<byte> output);

    /// <summary>True once the upstream's stream reached its proper end.</summary>
    bool Complete { get; }

    /// <summary>Writes the client protocol's error event for a stream the upstream broke off.</summary>
    void WriteInterrupted(IBufferWriter<byte> output);

    /// <summary>The usage to bill: the upstream's, else the prompt estimate plus the generated text counted.</summary>
    TokenUsage Resolve(long promptTokens, TokenEncoding encoding);
}

/// <summary>OpenAI chat completions, byte for byte; the usage-only chunk only if the client asked for it.</summary>
internal sealed class ChatPassThroughStream(bool clientWantsUsage) : IAnswerStream
{
    private readonly StreamMeter _meter = new();

    public bool Complete => _meter.SawDone;

    public StreamStep Write(in SseEvent sseEvent, IBufferWriter<byte> output)
    {
        var info = _meter.Observe(sseEvent);
        if (info.IsUsageOnly && !clientWantsUsage) return StreamStep.Skipped;
        SseWriter.WriteRaw(output, sseEvent);
        return sseEvent.IsDone ? StreamStep.End : StreamStep.Written;
    }

    public void WriteInterrupted(IBufferWriter<byte> output) => SseWriter.WriteData(output, OpenAiErrors.StreamInterrupted().ToJsonBytes());

    public TokenUsage Resolve(long promptTokens, TokenEncoding encoding) => _meter.Resolve(promptTokens, encoding);

    public void Dispose() => _meter.Dispose();
}

/// <summary>OpenAI Responses events, byte for byte, up to <c>response.completed</c> (or <c>.incomplete</c> / <c>.failed</c>).</summary>
internal sealed class ResponsesPassThroughStream : IAnswerStream
{
    private readonly ResponsesMeter _meter = new();

    public bool Complete => _meter.SawTerminal;

    public StreamStep Write(in SseEvent sseEvent, IBufferWriter<byte> output)
    {
        _meter.Observe(sseEvent);
        SseWriter.WriteRaw(output, sseEvent);
        return _meter.SawTerminal ? StreamStep.End : StreamStep.Written;
    }

    public void WriteInterrupted(IBufferWriter<byte> output) => ResponsesErrors.WriteErrorEvent(output, OpenAiErrors.StreamInterrupted());

    public TokenUsage Resolve(long promptTokens, TokenEncoding encoding) => _meter.Resolve(promptTokens, encoding);

    public void Dispose() => _meter.Dispose();
}

/// <summary>
/// A chat completions stream told as Responses events: <c>response.created</c> before the first upstream event, the
/// text and function-call deltas as they come, and <c>response.completed</c> with the metered usage at <c>[DONE]</c>.
/// </summary>
internal sealed class ResponsesFromChatStream(ResponsesEncoder encoder, long promptTokens, TokenEncoding encoding) : IAnswerStream
{
    private readonly StreamMeter _meter = new();
    private readonly ChatToResponses _reader = new(encoder);
    private bool _started;

    public bool Complete => _meter.SawDone;

    public StreamStep Write(in SseEvent sseEvent, IBufferWriter<byte> output)
    {
        if (!_started)
        {
            _started = true;
            encoder.Start(output);
        }

        _meter.Observe(sseEvent);
        if (sseEvent.IsDone)
        {
            encoder.Finish(output, _reader.Finish, _meter.Resolve(promptTokens, encoding));
            return StreamStep.End;
        }

        if (sseEvent.HasData) _reader.Feed(sseEvent.Data.Span, output);
        return StreamStep.Written;
    }

    public void WriteInterrupted(IBufferWriter<byte> output)
    {
        if (!_started) encoder.Start(output);
        var error = OpenAiErrors.StreamInterrupted().Error;
        encoder.Fail(output, error.Code!, error.Message);
    }

    public TokenUsage Resolve(long prompt, TokenEncoding tokenEncoding) => _meter.Resolve(prompt, tokenEncoding);

    public void Dispose() => _meter.Dispose();
}
