using System.Buffers;
using System.Text;
using System.Text.Json;
using Portal.Relay.Protocols.Responses;
using Portal.Relay.Tokens;

namespace Portal.UnitTests.Relay.Protocols;

public class ResponsesEncoderTests
{
    private static ResponsesRequest Request(string json) => ResponsesRequestDecoder.Decode(Encoding.UTF8.GetBytes(json)).Value!;

    private static List<(string Event, JsonElement Data)> Events(ArrayBufferWriter<byte> output)
    {
        var text = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.EndsWith("\n\n", text);
        return text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e =>
        {
            var lines = e.Split('\n');
            Assert.Equal(2, lines.Length);
            Assert.StartsWith("event: ", lines[0]);
            Assert.StartsWith("data: ", lines[1]);
            return (lines[0]["event: ".Length..], JsonDocument.Parse(lines[1]["data: ".Length..]).RootElement.Clone());
        }).ToList();
    }

    [Fact]
    public void A_streamed_text_answer_follows_openais_event_sequence()
    {
        var encoder = new ResponsesEncoder("req_0123abcd", "gpt-t", 1_765_000_000, Request("""{"model":"gpt-t","input":"hi","instructions":"Be kind.","stream":true}"""));
        var output = new ArrayBufferWriter<byte>();
        encoder.Start(output);
        encoder.Text(output, "Hello");
        encoder.Text(output, ", 世界");
        encoder.Finish(output, ResponsesFinish.Stop, new TokenUsage(12, 4, 3, IsEstimated: false));

        var events = Events(output);
        Assert.Equal(
            ["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added", "response.output_text.delta",
             "response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"],
            events.Select(e => e.Event));
        Assert.All(events, e => Assert.Equal(e.Event, e.Data.GetProperty("type").GetString()));
        Assert.Equal(Enumerable.Range(0, events.Count), events.Select(e => e.Data.GetProperty("sequence_number").GetInt32()));

        var created = events[0].Data.GetProperty("response");
        Assert.Equal("resp_0123abcd", created.GetProperty("id").GetString());
        Assert.Equal("in_progress", created.GetProperty("status").GetString());
        Assert.Equal("Be kind.", created.GetProperty("instructions").GetString());
        Assert.False(created.GetProperty("store").GetBoolean());

        var itemId = events[2].Data.GetProperty("item").GetProperty("id").GetString();
        Assert.All(events.Skip(3).Take(5), e => Assert.Equal(itemId, e.Data.GetProperty("item_id").GetString()));
        Assert.Equal(", 世界", events[5].Data.GetProperty("delta").GetString());
        Assert.Equal("Hello, 世界", events[6].Data.GetProperty("text").GetString());

        var completed = events[^1].Data.GetProperty("response");
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal("Hello, 世界", completed.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
        var usage = completed.GetProperty("usage");
        Assert.Equal(12, usage.GetProperty("input_tokens").GetInt64());
        Assert.Equal(4, usage.GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt64());
        Assert.Equal(3, usage.GetProperty("output_tokens").GetInt64());
        Assert.Equal(15, usage.GetProperty("total_tokens").GetInt64());
    }

    [Fact]
    public void Text_then_two_tool_calls_close_each_item_and_stream_the_arguments()
    {
        var encoder = new ResponsesEncoder("req_ff", "gpt-t", 1, Request("""{"model":"gpt-t","input":"weather?","tools":[{"type":"function","name":"get_weather"}]}"""));
        var output = new ArrayBufferWriter<byte>();
        encoder.Start(output);
        encoder.Text(output, "Checking.");
        encoder.ToolCallStart(output, 0, "call_a", "get_weather");
        encoder.ToolCallArguments(output, 0, "{\"city\":");
        encoder.ToolCallStart(output, 1, "call_b", "get_weather");
        encoder.ToolCallArguments(output, 1, "{\"city\":\"Oslo\"}");
        encoder.ToolCallArguments(output, 0, "\"Paris\"}");
        encoder.Finish(output, ResponsesFinish.ToolCalls, new TokenUsage(30, 0, 20, IsEstimated: false));

        var events = Events(output);
        var done = events.Where(e => e.Event == "response.function_call_arguments.done").Select(e => e.Data.GetProperty("arguments").GetString()).ToList();
        Assert.Equal(["{\"city\":\"Paris\"}", "{\"city\":\"Oslo\"}"], done);
        // The message is closed before the first call is announced.
        Assert.True(events.FindIndex(e => e.Event == "response.output_item.done") < events.FindIndex(e => e.Event == "response.output_item.added" && e.Data.GetProperty("output_index").GetInt32() == 1));

        var output2 = events[^1].Data.GetProperty("response").GetProperty("output");
        Assert.Equal(3, output2.GetArrayLength());
        Assert.Equal("call_a", output2[1].GetProperty("call_id").GetString());
        Assert.Equal("{\"city\":\"Paris\"}", output2[1].GetProperty("arguments").GetString());
        Assert.Equal("call_b", output2[2].GetProperty("call_id").GetString());
    }

    [Fact]
    public void A_whole_response_cut_by_the_token_limit_is_incomplete()
    {
        var encoder = new ResponsesEncoder("req_1", "gpt-t", 1, Request("""{"model":"gpt-t","input":"hi","max_output_tokens":5}"""));
        encoder.Text(null, "Once upon a");
        var json = JsonDocument.Parse(encoder.WholeResponse(ResponsesFinish.Length, new TokenUsage(8, 0, 5, IsEstimated: false))).RootElement;
        Assert.Equal("incomplete", json.GetProperty("status").GetString());
        Assert.Equal("max_output_tokens", json.GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.Equal(5, json.GetProperty("max_output_tokens").GetInt32());
        Assert.Equal("Once upon a", json.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public void A_stream_that_breaks_ends_with_response_failed()
    {
        var encoder = new ResponsesEncoder("req_2", "gpt-t", 1, Request("""{"model":"gpt-t","input":"hi","stream":true}"""));
        var output = new ArrayBufferWriter<byte>();
        encoder.Start(output);
        encoder.Text(output, "Par");
        encoder.Fail(output, "upstream_interrupted", "The upstream stopped.");
        var last = Events(output)[^1];
        Assert.Equal("response.failed", last.Event);
        Assert.Equal("upstream_interrupted", last.Data.GetProperty("response").GetProperty("error").GetProperty("code").GetString());
    }
}
