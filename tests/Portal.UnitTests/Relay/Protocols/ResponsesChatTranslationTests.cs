using System.Buffers;
using System.Text;
using System.Text.Json;
using Portal.Relay.Errors;
using Portal.Relay.Protocols.Responses;
using Portal.Relay.Tokens;

namespace Portal.UnitTests.Relay.Protocols;

public class ResponsesChatTranslationTests
{
    private static string Chat(string responsesJson, string model = "up")
    {
        var request = ResponsesRequestDecoder.Decode(Encoding.UTF8.GetBytes(responsesJson)).Value!;
        var output = new ArrayBufferWriter<byte>();
        ResponsesToChat.Encode(request, model, output);
        var chat = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.True(ChatRequestShape.Validate(output.WrittenSpan).IsSuccess, chat);
        return chat;
    }

    [Fact]
    public void A_codex_turn_becomes_a_chat_conversation_with_tool_calls_and_results()
    {
        var chat = Chat("""
            {"model":"m","instructions":"You are Codex.","stream":true,"max_output_tokens":300,"parallel_tool_calls":false,"input":[
              {"type":"message","role":"developer","content":[{"type":"input_text","text":"sandbox: read-only"}]},
              {"role":"user","content":"list files"},
              {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"x"},
              {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Let me look."}]},
              {"type":"function_call","call_id":"call_1","name":"shell","arguments":"{\"command\":[\"ls\"]}"},
              {"type":"function_call","call_id":"call_2","name":"shell","arguments":"{}"},
              {"type":"function_call_output","call_id":"call_1","output":"a.txt"},
              {"type":"function_call_output","call_id":"call_2","output":""}],
             "tools":[{"type":"function","name":"shell","parameters":{"type":"object"},"strict":false},{"type":"web_search"}],"tool_choice":"required",
             "text":{"format":{"type":"json_object"}}}
            """);
        Assert.Equal(
            """{"model":"up","messages":[{"role":"system","content":"You are Codex."},{"role":"system","content":"sandbox: read-only"},{"role":"user","content":"list files"},"""
            + """{"role":"assistant","content":"Let me look.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"shell","arguments":"{\"command\":[\"ls\"]}"}},{"id":"call_2","type":"function","function":{"name":"shell","arguments":"{}"}}]},"""
            + """{"role":"tool","tool_call_id":"call_1","content":"a.txt"},{"role":"tool","tool_call_id":"call_2","content":""}],"stream":true,"stream_options":{"include_usage":true},"max_tokens":300"""
            + ""","tools":[{"type":"function","function":{"name":"shell","parameters":{"type":"object"},"strict":false}}],"tool_choice":"required","parallel_tool_calls":false,"response_format":{"type":"json_object"}}""",
            chat);
    }

    [Fact]
    public void Images_stay_parts_and_a_forced_function_and_schema_translate()
    {
        var chat = JsonDocument.Parse(Chat("""
            {"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"what?"},{"type":"input_image","image_url":"https://example.com/a.png","detail":"high"}]}],
             "tools":[{"type":"function","name":"f"}],"tool_choice":{"type":"function","name":"f"},"temperature":0.5,
             "text":{"format":{"type":"json_schema","name":"ans","schema":{"type":"object"},"strict":true}}}
            """)).RootElement;
        var parts = chat.GetProperty("messages")[0].GetProperty("content");
        Assert.Equal("https://example.com/a.png", parts[1].GetProperty("image_url").GetProperty("url").GetString());
        Assert.Equal("f", chat.GetProperty("tool_choice").GetProperty("function").GetProperty("name").GetString());
        Assert.Equal("ans", chat.GetProperty("response_format").GetProperty("json_schema").GetProperty("name").GetString());
        Assert.Equal(0.5, chat.GetProperty("temperature").GetDouble());
    }

    [Fact]
    public void A_whole_chat_answer_with_a_tool_call_becomes_a_response()
    {
        var encoder = new ResponsesEncoder("req_ab", "m", 1, ResponsesRequestDecoder.Decode("""{"model":"m","input":"hi"}"""u8).Value!);
        var reader = new ChatToResponses(encoder);
        Assert.True(reader.Feed("""{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Checking.","tool_calls":[{"id":"call_9","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":5,"completion_tokens":7}}"""u8, null));
        Assert.Equal(ResponsesFinish.ToolCalls, reader.Finish);
        var response = JsonDocument.Parse(encoder.WholeResponse(reader.Finish, new TokenUsage(5, 0, 7, false))).RootElement;
        var output = response.GetProperty("output");
        Assert.Equal("Checking.", output[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("call_9", output[1].GetProperty("call_id").GetString());
        Assert.Equal("{\"city\":\"Paris\"}", output[1].GetProperty("arguments").GetString());
        Assert.Equal("completed", response.GetProperty("status").GetString());
    }

    [Fact]
    public void Streamed_chat_chunks_become_responses_events_with_argument_deltas()
    {
        var encoder = new ResponsesEncoder("req_cd", "m", 1, ResponsesRequestDecoder.Decode("""{"model":"m","input":"hi","stream":true}"""u8).Value!);
        var reader = new ChatToResponses(encoder);
        var output = new ArrayBufferWriter<byte>();
        encoder.Start(output);
        reader.Feed("""{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"""u8, output);
        reader.Feed("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]}}]}"""u8, output);
        reader.Feed("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":"}}]}}]}"""u8, output);
        reader.Feed("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]}}]}"""u8, output);
        reader.Feed("""{"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}"""u8, output);
        encoder.Finish(output, reader.Finish, new TokenUsage(3, 0, 4, false));
        var text = Encoding.UTF8.GetString(output.WrittenSpan);
        Assert.Contains("event: response.function_call_arguments.delta\ndata: {\"type\":\"response.function_call_arguments.delta\"", text);
        Assert.Contains("\"arguments\":\"{\\\"a\\\":1}\"", text);
        Assert.DoesNotContain("response.output_text.delta", text);
        Assert.EndsWith("\n\n", text);
        Assert.Contains("event: response.completed", text);
    }
}
