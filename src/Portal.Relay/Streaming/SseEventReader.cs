using System.Buffers;
using System.IO.Pipelines;

namespace Portal.Relay.Streaming;

/// <summary>
/// Reads a <c>text/event-stream</c> one event at a time, so the relay can forward and flush each event as soon as it is
/// complete. Events may arrive split at any byte (inside a line, inside a multi-byte UTF-8 character, between the
/// <c>\r</c> and <c>\n</c> of a line end); nothing is decoded until the event's closing blank line has arrived.
/// Line ends may be <c>\r\n</c>, <c>\n</c> or <c>\r</c>, as the SSE specification allows.
/// </summary>
/// <remarks>
/// Every byte of the stream belongs to exactly one event's <see cref="SseEvent.Raw"/>, in order: concatenating them
/// gives back the stream. Not thread-safe; one reader per upstream response.
/// </remarks>
public sealed class SseEventReader : IAsyncDisposable
{
    /// <summary>Default upper bound on one event; a larger one means a broken or hostile upstream.</summary>
    public const int DefaultMaxEventBytes = 8 * 1024 * 1024;

    private readonly PipeReader _reader;
    private readonly bool _ownsReader;
    private readonly int _maxEventBytes;
    private byte[] _raw;
    private byte[] _data;
    private long _scannedBytes; // bytes of the pending event already known to be complete, non-blank lines
    private bool _finished;

    /// <summary>Reads events from <paramref name="reader"/>; the caller keeps ownership of it.</summary>
    public SseEventReader(PipeReader reader, int maxEventBytes = DefaultMaxEventBytes)
        : this(reader, ownsReader: false, maxEventBytes)
    {
    }

    /// <summary>Reads events from <paramref name="stream"/> (left open on dispose).</summary>
    public SseEventReader(Stream stream, int maxEventBytes = DefaultMaxEventBytes)
        : this(PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true)), ownsReader: true, maxEventBytes)
    {
    }

    private SseEventReader(PipeReader reader, bool ownsReader, int maxEventBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEventBytes, 16);
        _reader = reader;
        _ownsReader = ownsReader;
        _maxEventBytes = maxEventBytes;
        _raw = ArrayPool<byte>.Shared.Rent(1024);
        _data = ArrayPool<byte>.Shared.Rent(1024);
    }

    /// <summary>The event read by the last successful <see cref="ReadAsync"/>.</summary>
    public SseEvent Current { get; private set; }

    /// <summary>
    /// Reads the next event into <see cref="Current"/>. Returns false at the end of the stream. If the stream ends in the
    /// middle of an event, that event is returned once with <see cref="SseEvent.IsTruncated"/> set.
    /// </summary>
    /// <exception cref="InvalidDataException">An event is longer than the configured maximum.</exception>
    public ValueTask<bool> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_finished) return ValueTask.FromResult(false);

        // Fast path: an event already buffered is returned without entering the async machinery (no allocation).
        if (_reader.TryRead(out var buffered))
        {
            var step = Process(buffered);
            if (step != Step.NeedMore) return ValueTask.FromResult(step == Step.Event);
        }

        return ReadSlowAsync(cancellationToken);
    }

    private async ValueTask<bool> ReadSlowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var step = Process(result);
            if (step != Step.NeedMore) return step == Step.Event;
        }
    }

    private Step Process(ReadResult result)
    {
        var buffer = result.Buffer;
        if (result.IsCanceled)
        {
            // PipeReader.CancelPendingRead: the owner wants the reader to stop waiting; the event in progress is kept.
            _reader.AdvanceTo(buffer.Start, buffer.End);
            throw new OperationCanceledException("The read was cancelled with PipeReader.CancelPendingRead.");
        }

        if (TryFindEventEnd(buffer, result.IsCompleted, out var end))
        {
            var eventBytes = buffer.Slice(0, end);
            if (eventBytes.Length > _maxEventBytes)
            {
                _reader.AdvanceTo(end);
                throw new InvalidDataException($"A server-sent event exceeded {_maxEventBytes} bytes.");
            }

            Publish(eventBytes, isTruncated: false);
            _reader.AdvanceTo(end);
            return Step.Event;
        }

        if (buffer.Length > _maxEventBytes)
        {
            _reader.AdvanceTo(buffer.End);
            throw new InvalidDataException($"A server-sent event exceeded {_maxEventBytes} bytes.");
        }

        if (result.IsCompleted)
        {
            _finished = true;
            if (buffer.IsEmpty)
            {
                _reader.AdvanceTo(buffer.End);
                return Step.End;
            }

            Publish(buffer, isTruncated: true);
            _reader.AdvanceTo(buffer.End);
            return Step.Event;
        }

        _reader.AdvanceTo(buffer.Start, buffer.End);
        return Step.NeedMore;
    }

    /// <summary>Returns the pooled buffers and, when this reader created the pipe, completes it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_ownsReader) await _reader.CompleteAsync().ConfigureAwait(false);
        ArrayPool<byte>.Shared.Return(_raw);
        ArrayPool<byte>.Shared.Return(_data);
        _raw = [];
        _data = [];
    }

    private bool TryFindEventEnd(ReadOnlySequence<byte> buffer, bool isCompleted, out SequencePosition end)
    {
        end = default;
        var reader = new SequenceReader<byte>(buffer);
        reader.Advance(_scannedBytes);
        while (true)
        {
            var lineStart = reader.Consumed;
            if (!reader.TryAdvanceToAny("\r\n"u8, advancePastDelimiter: false)) return false;
            var lineLength = reader.Consumed - lineStart;
            reader.TryRead(out var terminator);
            if (terminator == (byte)'\r')
            {
                if (reader.End)
                {
                    // A lone \r at the end of what has arrived: a \n may follow in the next read.
                    if (!isCompleted)
                    {
                        _scannedBytes = lineStart;
                        return false;
                    }
                }
                else
                {
                    reader.IsNext((byte)'\n', advancePast: true); // \r\n is one line end
                }
            }

            if (lineLength == 0)
            {
                _scannedBytes = 0;
                end = reader.Position;
                return true;
            }

            _scannedBytes = reader.Consumed;
        }
    }

    private void Publish(ReadOnlySequence<byte> eventBytes, bool isTruncated)
    {
        _scannedBytes = 0;
        var length = checked((int)eventBytes.Length);
        EnsureCapacity(ref _raw, length);
        eventBytes.CopyTo(_raw);
        var raw = _raw.AsMemory(0, length);
        Current = Parse(raw, isTruncated);
    }

    private SseEvent Parse(ReadOnlyMemory<byte> raw, bool isTruncated)
    {
        var span = raw.Span;
        var dataLines = 0;
        ReadOnlyMemory<byte> firstData = default;
        ReadOnlyMemory<byte> eventType = default;
        var dataLength = 0;
        var position = 0;
        while (position < span.Length)
        {
            var rest = span[position..];
            var lineLength = rest.IndexOfAny((byte)'\r', (byte)'\n');
            if (lineLength < 0) lineLength = rest.Length;
            var next = position + lineLength;
            if (next < span.Length) next += span[next] == '\r' && next + 1 < span.Length && span[next + 1] == '\n' ? 2 : 1;

            if (lineLength > 0 && rest[0] != ':')
            {
                var line = raw.Slice(position, lineLength);
                var colon = line.Span.IndexOf((byte)':');
                var name = colon < 0 ? line.Span : line.Span[..colon];
                var value = colon < 0 ? ReadOnlyMemory<byte>.Empty : line[(colon + 1)..];
                if (!value.IsEmpty && value.Span[0] == ' ') value = value[1..];

                if (name.SequenceEqual("data"u8))
                {
                    if (dataLines == 0)
                    {
                        firstData = value;
                        dataLength = value.Length;
                    }
                    else
                    {
                        if (dataLines == 1)
                        {
                            EnsureCapacity(ref _data, firstData.Length);
                            firstData.Span.CopyTo(_data);
                        }

                        EnsureCapacity(ref _data, dataLength + 1 + value.Length);
                        _data[dataLength] = (byte)'\n';
                        value.Span.CopyTo(_data.AsSpan(dataLength + 1));
                        dataLength += 1 + value.Length;
                    }

                    dataLines++;
                }
                else if (name.SequenceEqual("event"u8))
                {
                    eventType = value;
                }
            }

            position = next;
        }

        var data = dataLines switch
        {
            0 => ReadOnlyMemory<byte>.Empty,
            1 => firstData,
            _ => _data.AsMemory(0, dataLength),
        };
        return new SseEvent(raw, data, dataLines > 0, eventType, isTruncated);
    }

    private enum Step
    {
        NeedMore,
        Event,
        End,
    }

    private static void EnsureCapacity(ref byte[] buffer, int needed)
    {
        if (buffer.Length >= needed) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, buffer.Length * 2));
        buffer.CopyTo(bigger, 0);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = bigger;
    }
}
