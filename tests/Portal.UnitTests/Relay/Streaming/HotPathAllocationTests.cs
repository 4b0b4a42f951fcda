using System.Buffers;
using System.Text;
using Portal.Relay.Streaming;

namespace Portal.UnitTests.Relay.Streaming;

public class HotPathAllocationTests
{
    private static readonly byte[] ContentChunk =
        """{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"\u4f60\u597d world"},"finish_reason":null}],"usage":null}"""u8.ToArray();

    [Fact]
    public void Inspecting_a_content_chunk_does_not_allocate()
    {
        var text = new ArrayBufferWriter<byte>(1 << 20);
        ChunkInspector.Inspect(ContentChunk, text, captureModel: false);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++) ChunkInspector.Inspect(ContentChunk, text, captureModel: false);

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public async Task Reading_events_allocates_nothing_per_event_once_warm()
    {
        var one = "data: " + Encoding.UTF8.GetString(ContentChunk) + "\n\n";
        var bytes = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(one, 2_000)));
        await using var reader = new SseEventReader(new MemoryStream(bytes));
        for (var i = 0; i < 100; i++) await reader.ReadAsync(); // warm the pipe's segments and the pooled buffers

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++) await reader.ReadAsync();
        var perEvent = (GC.GetAllocatedBytesForCurrentThread() - before) / 1_000.0;

        Assert.True(perEvent < 64, $"{perEvent} bytes per event");
    }
}
