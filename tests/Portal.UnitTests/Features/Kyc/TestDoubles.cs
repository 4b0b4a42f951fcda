namespace Portal.UnitTests.Features.Kyc;

/// <summary>A clock the test sets; time moves only when the test says so.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset utcNow) : TimeProvider
{
    public DateTimeOffset UtcNow { get; set; } = utcNow;

    public override DateTimeOffset GetUtcNow() => UtcNow;
}

/// <summary>
/// A read-only stream of <paramref name="length"/> bytes that starts with <paramref name="header"/>
/// and continues with a repeating pattern, made on the fly so a huge upload costs no memory.
/// Counts how many bytes were read and returns at most <paramref name="maxReadSize"/> per read.
/// </summary>
internal sealed class GeneratedStream(byte[] header, long length, int maxReadSize = int.MaxValue) : Stream
{
    private long position;

    public long BytesRead => position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => position; set => throw new NotSupportedException(); }

    public static byte ByteAt(byte[] header, long index) =>
        index < header.Length ? header[index] : (byte)(index * 31 % 251);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(Math.Min(buffer.Length, maxReadSize), length - position);
        for (var i = 0; i < count; i++)
        {
            buffer[i] = ByteAt(header, position + i);
        }

        position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
