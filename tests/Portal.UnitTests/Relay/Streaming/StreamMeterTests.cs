using System.Text;
using Portal.Relay.Streaming;
using Portal.Relay.Tokens;

namespace Portal.UnitTests.Relay.Streaming;

public class StreamMeterTests
{
    private static async Task<StreamMeter> Meter(string stream, List<ChunkInfo>? infos = null)
    {
        var meter = new StreamMeter();
        await using var reader = new SseEventReader(new ChunkedStream(Encoding.UTF8.GetBytes(stream), () => 1));
        while (await reader.ReadAsync())
        {
            var info = meter.Observe(reader.Current);
            infos?.Add(info);
        }

        return meter;
    }

    [Fact]
    public async Task Uses_the_upstream_usage_when_it_comes()
    {
        using var meter = await Meter(
            "data: {\"model\":\"gpt-4o-2024-08-06\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hello\"}}],\"usage\":null}\n\n" +
            "data: {\"model\":\"gpt-4o-2024-08-06\",\"choices\":[],\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":1,\"prompt_tokens_details\":{\"cached_tokens\":0}}}\n\n" +
            "data: [DONE]\n\n");

        Assert.Equal("gpt-4o-2024-08-06", meter.Model);
        Assert.True(meter.SawDone);
        Assert.Equal(new TokenUsage(19, 0, 1, IsEstimated: false), meter.Resolve(999, TokenEncoding.O200kBase));
    }

    [Fact]
    public async Task Counts_completion_deltas_when_usage_never_comes()
    {
        using var meter = await Meter(
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"你好，\"}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"世界\"}}]}\n\n" +
            "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n" +
            "data: [DONE]\n\n");

        // "你好，世界" is 3 o200k tokens when counted as one text.
        Assert.Equal(new TokenUsage(19, 0, 3, IsEstimated: true), meter.Resolve(19, TokenEncoding.O200kBase));
        Assert.True(meter.SawFinishReason);
    }

    [Fact]
    public async Task A_client_disconnect_mid_stream_still_meters_what_was_generated()
    {
        using var meter = await Meter("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hello world\"}}]}\n\ndata: {\"choices\":[{\"index\":0,\"del");

        Assert.False(meter.SawDone);
        Assert.Equal(2, meter.Resolve(10, TokenEncoding.O200kBase).CompletionTokens);
    }

    [Fact]
    public async Task Flags_the_usage_only_chunk_so_it_can_be_withheld()
    {
        var infos = new List<ChunkInfo>();
        using var meter = await Meter(
            "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}],\"usage\":null}\n\n" +
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}\n\n" +
            "data: [DONE]\n\n",
            infos);

        Assert.Equal([false, true, false], infos.Select(i => i.IsUsageOnly));
    }
}
