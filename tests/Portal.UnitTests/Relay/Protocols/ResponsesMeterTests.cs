using System.Text;
using Portal.Relay.Protocols.Responses;
using Portal.Relay.Streaming;
using Portal.Relay.Tokens;
using Portal.UnitTests.Relay.Streaming;

namespace Portal.UnitTests.Relay.Protocols;

public class ResponsesMeterTests
{
    private static async Task<ResponsesMeter> MeterAsync(string stream)
    {
        var meter = new ResponsesMeter();
        await using var reader = new SseEventReader(new ChunkedStream(Encoding.UTF8.GetBytes(stream), () => 7));
        while (await reader.ReadAsync()) meter.Observe(reader.Current);
        return meter;
    }

    [Fact]
    public async Task Reads_the_usage_of_response_completed()
    {
        using var meter = await MeterAsync(
            "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"delta\":\"Hi\"}\n\n" +
            "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"output\":[],\"usage\":{\"input_tokens\":37,\"input_tokens_details\":{\"cached_tokens\":5},\"output_tokens\":11,\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":48}}}\n\n");
        Assert.True(meter.SawTerminal);
        Assert.Equal(new TokenUsage(37, 5, 11, IsEstimated: false), meter.Resolve(999, TokenEncoding.O200kBase));
    }

    [Fact]
    public async Task Counts_text_and_argument_deltas_when_no_usage_comes()
    {
        using var meter = await MeterAsync(
            "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Hello world\"}\n\n" +
            "event: response.function_call_arguments.delta\ndata: {\"type\":\"response.function_call_arguments.delta\",\"delta\":\"{\\\"a\\\":1}\"}\n\n" +
            "event: response.audio.delta\ndata: {\"type\":\"response.audio.delta\",\"delta\":\"QUFBQUFBQUFBQUFBQUFB\"}\n\n");
        Assert.False(meter.SawTerminal);
        var expected = TokenCounter.Shared.CountText("Hello world{\"a\":1}", TokenEncoding.O200kBase);
        Assert.Equal(new TokenUsage(42, 0, expected, IsEstimated: true), meter.Resolve(42, TokenEncoding.O200kBase));
    }

    [Fact]
    public void Reads_a_whole_body()
    {
        using var meter = new ResponsesMeter();
        meter.ObserveWhole("""{"id":"resp_1","output":[{"type":"message","content":[{"type":"output_text","text":"x"}]}],"usage":{"input_tokens":36,"input_tokens_details":{"cached_tokens":0},"output_tokens":87,"total_tokens":123}}"""u8);
        Assert.Equal(new TokenUsage(36, 0, 87, IsEstimated: false), meter.Resolve(1, TokenEncoding.O200kBase));
    }
}
