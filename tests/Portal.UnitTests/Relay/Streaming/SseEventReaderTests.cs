using System.IO.Pipelines;
using System.Text;
using Portal.Relay.Streaming;

namespace Portal.UnitTests.Relay.Streaming;

public class SseEventReaderTests
{
    private const string OpenAiStream =
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}\n\n" +
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"你好，\"},\"finish_reason\":null}],\"usage\":null}\n\n" +
        ": keep-alive\n\n" +
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"世界🌏\"},\"finish_reason\":null}],\"usage\":null}\r\n\r\n" +
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n" +
        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":5,\"total_tokens\":24,\"prompt_tokens_details\":{\"cached_tokens\":3}}}\n\n" +
        "data: [DONE]\n\n";

    private static async Task<List<(string Raw, string Data, bool HasData, bool IsDone, bool IsTruncated)>> ReadAll(byte[] bytes, Func<int> chunkSize)
    {
        var events = new List<(string, string, bool, bool, bool)>();
        await using var reader = new SseEventReader(new ChunkedStream(bytes, chunkSize));
        while (await reader.ReadAsync())
        {
            var e = reader.Current;
            events.Add((Encoding.UTF8.GetString(e.Raw.Span), Encoding.UTF8.GetString(e.Data.Span), e.HasData, e.IsDone, e.IsTruncated));
        }

        return events;
    }

    [Fact]
    public async Task Reads_an_openai_stream_event_by_event()
    {
        var events = await ReadAll(Encoding.UTF8.GetBytes(OpenAiStream), () => 4096);

        Assert.Equal(7, events.Count);
        Assert.StartsWith("data: {\"id\"", events[0].Raw, StringComparison.Ordinal);
        Assert.EndsWith("\n\n", events[0].Raw, StringComparison.Ordinal);
        Assert.StartsWith("{\"id\"", events[0].Data, StringComparison.Ordinal);
        Assert.Contains("你好，", events[1].Data, StringComparison.Ordinal);
        Assert.False(events[2].HasData); // the comment
        Assert.EndsWith("\r\n\r\n", events[3].Raw, StringComparison.Ordinal);
        Assert.EndsWith("}", events[3].Data, StringComparison.Ordinal);
        Assert.True(events[6].IsDone);
        Assert.All(events.Take(6), e => Assert.False(e.IsDone));
        Assert.All(events, e => Assert.False(e.IsTruncated));
    }

    [Fact]
    public async Task Raw_events_concatenate_back_to_the_exact_stream()
    {
        var bytes = Encoding.UTF8.GetBytes(OpenAiStream);
        var events = await ReadAll(bytes, () => 4096);

        Assert.Equal(OpenAiStream, string.Concat(events.Select(e => e.Raw)));
    }

    [Fact]
    public async Task One_byte_at_a_time_gives_the_same_events_including_split_utf8()
    {
        var bytes = Encoding.UTF8.GetBytes(OpenAiStream);
        var whole = await ReadAll(bytes, () => 4096);

        var byteByByte = await ReadAll(bytes, () => 1);

        Assert.Equal(whole, byteByByte);
        Assert.Contains("世界🌏", byteByByte[3].Data, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(42)]
    public async Task Random_chunk_sizes_give_the_same_events(int seed)
    {
        var bytes = Encoding.UTF8.GetBytes(OpenAiStream);
        var whole = await ReadAll(bytes, () => 4096);
        var random = new Random(seed);

        var chunked = await ReadAll(bytes, () => random.Next(1, 40));

        Assert.Equal(whole, chunked);
    }

    [Fact]
    public async Task Every_split_point_of_a_crlf_stream_gives_the_same_events()
    {
        const string stream = "data: a\r\n\r\ndata: 中\r\ndata: 文\r\n\r\n";
        var bytes = Encoding.UTF8.GetBytes(stream);
        var expected = await ReadAll(bytes, () => 4096);
        Assert.Equal(2, expected.Count);

        for (var split = 1; split < bytes.Length; split++)
        {
            var first = true;
            var at = split;
            var events = await ReadAll(bytes, () =>
            {
                if (!first) return 4096;
                first = false;
                return at;
            });
            Assert.Equal(expected, events);
        }
    }

    [Fact]
    public async Task Multi_line_data_is_joined_with_newlines()
    {
        var events = await ReadAll(Encoding.UTF8.GetBytes("data: first\ndata:second\ndata:  third\n\n"), () => 5);

        Assert.Single(events);
        Assert.Equal("first\nsecond\n third", events[0].Data);
    }

    [Fact]
    public async Task Lone_cr_line_endings_are_accepted()
    {
        var events = await ReadAll(Encoding.UTF8.GetBytes("data: a\r\rdata: b\r\r"), () => 1);

        Assert.Equal(["a", "b"], events.Select(e => e.Data));
        Assert.All(events, e => Assert.False(e.IsTruncated));
    }

    [Fact]
    public async Task Event_and_id_fields_are_not_data()
    {
        await using var reader = new SseEventReader(new MemoryStream(Encoding.UTF8.GetBytes("event: message\nid: 7\nretry: 100\ndata: x\n\n")));

        Assert.True(await reader.ReadAsync());
        Assert.Equal("x", Encoding.UTF8.GetString(reader.Current.Data.Span));
        Assert.Equal("message", Encoding.UTF8.GetString(reader.Current.EventType.Span));
        Assert.False(await reader.ReadAsync());
    }

    [Fact]
    public async Task A_stream_that_ends_mid_event_yields_it_once_as_truncated()
    {
        var events = await ReadAll(Encoding.UTF8.GetBytes("data: {\"a\":1}\n\ndata: {\"b\":"), () => 3);

        Assert.Equal(2, events.Count);
        Assert.False(events[0].IsTruncated);
        Assert.True(events[1].IsTruncated);
        Assert.Equal("data: {\"b\":", events[1].Raw);
        Assert.Equal("{\"b\":", events[1].Data);
    }

    [Fact]
    public async Task A_stream_that_ends_after_a_line_but_before_the_blank_line_is_truncated()
    {
        var events = await ReadAll(Encoding.UTF8.GetBytes("data: [DONE]\n"), () => 1);

        Assert.Single(events);
        Assert.True(events[0].IsTruncated);
        Assert.True(events[0].IsDone);
    }

    [Fact]
    public async Task An_empty_stream_has_no_events()
    {
        Assert.Empty(await ReadAll([], () => 1));
    }

    [Fact]
    public async Task An_event_larger_than_the_limit_is_refused()
    {
        var bytes = Encoding.UTF8.GetBytes("data: " + new string('x', 1000) + "\n\n");
        await using var reader = new SseEventReader(new MemoryStream(bytes), maxEventBytes: 100);

        await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadAsync());
    }

    [Fact]
    public async Task Reads_from_a_pipe_as_data_arrives()
    {
        var pipe = new Pipe();
        await using var reader = new SseEventReader(pipe.Reader);

        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes("data: one\n"));
        var pending = reader.ReadAsync();
        Assert.False(pending.IsCompleted); // waits for the blank line

        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes("\ndata: two\n\n"));
        Assert.True(await pending);
        Assert.Equal("one", Encoding.UTF8.GetString(reader.Current.Data.Span));
        Assert.True(await reader.ReadAsync());
        Assert.Equal("two", Encoding.UTF8.GetString(reader.Current.Data.Span));

        await pipe.Writer.CompleteAsync();
        Assert.False(await reader.ReadAsync());
    }
}
