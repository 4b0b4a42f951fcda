using Portal.Relay.Upstream;

namespace Portal.Relay.Forwarding;

/// <summary>A read-only stream that yields a simulated reply's events, each after its delay (wall-clock), like a network response would.</summary>
internal sealed class SimulatedEventStream(IReadOnlyList<SimulatedChunk> chunks) : Stream
{
    private int _chunk;
    private int _offset;
    private bool _waited;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_chunk >= chunks.Count || buffer.IsEmpty) return 0;
        var current = chunks[_chunk];
        if (!_waited && current.Delay > TimeSpan.Zero) await Task.Delay(current.Delay, TimeProvider.System, cancellationToken);
        _waited = true;
        var count = Math.Min(buffer.Length, current.Event.Length - _offset);
        current.Event.AsMemory(_offset, count).CopyTo(buffer);
        _offset += count;
        if (_offset == current.Event.Length)
        {
            _chunk++;
            _offset = 0;
            _waited = false;
        }

        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
