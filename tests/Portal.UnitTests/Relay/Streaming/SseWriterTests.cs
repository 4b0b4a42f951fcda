using System.Buffers;
using System.Text;
using Portal.Relay.Streaming;

namespace Portal.UnitTests.Relay.Streaming;

public class SseWriterTests
{
    private static string Written(Action<ArrayBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Writes_a_data_event()
    {
        Assert.Equal("data: {\"a\":1}\n\n", Written(b => SseWriter.WriteData(b, "{\"a\":1}"u8)));
    }

    [Fact]
    public void Splits_payload_lines_into_data_lines()
    {
        Assert.Equal("data: a\ndata: b\ndata: c\n\n", Written(b => SseWriter.WriteData(b, "a\nb\r\nc"u8)));
    }

    [Fact]
    public void Writes_done_and_comments()
    {
        Assert.Equal("data: [DONE]\n\n", Written(SseWriter.WriteDone));
        Assert.Equal(": keep-alive\n\n", Written(b => SseWriter.WriteComment(b, "keep-alive"u8)));
    }

    [Fact]
    public async Task Written_events_read_back_unchanged()
    {
        var text = Written(b =>
        {
            SseWriter.WriteData(b, "line1\nline2"u8);
            SseWriter.WriteDone(b);
        });
        await using var reader = new SseEventReader(new MemoryStream(Encoding.UTF8.GetBytes(text)));

        Assert.True(await reader.ReadAsync());
        Assert.Equal("line1\nline2", Encoding.UTF8.GetString(reader.Current.Data.Span));
        Assert.True(await reader.ReadAsync());
        Assert.True(reader.Current.IsDone);
    }

    [Fact]
    public async Task Raw_forwarding_is_byte_for_byte_and_closes_a_truncated_event()
    {
        const string upstream = "data: a\r\n\r\ndata: {\"partial\":";
        await using var reader = new SseEventReader(new MemoryStream(Encoding.UTF8.GetBytes(upstream)));
        var forwarded = new ArrayBufferWriter<byte>();

        while (await reader.ReadAsync()) SseWriter.WriteRaw(forwarded, reader.Current);

        Assert.Equal(upstream + "\n\n", Encoding.UTF8.GetString(forwarded.WrittenSpan));
    }
}
