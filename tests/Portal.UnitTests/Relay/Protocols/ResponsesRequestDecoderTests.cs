using System.Text;
using Portal.Relay.Errors;
using Portal.Relay.Protocols.Responses;

namespace Portal.UnitTests.Relay.Protocols;

public class ResponsesRequestDecoderTests
{
    private static ResponsesRequest Decoded(string json)
    {
        var result = ResponsesRequestDecoder.Decode(Encoding.UTF8.GetBytes(json));
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value;
    }

    private static InvalidRequestError Refused(string json)
    {
        var result = ResponsesRequestDecoder.Decode(Encoding.UTF8.GetBytes(json));
        Assert.False(result.IsSuccess);
        return Assert.IsType<InvalidRequestError>(result.Error);
    }

    [Fact]
    public void A_string_input_is_one_user_message()
    {
        var request = Decoded("""{"model":"gpt-4.1","input":"Tell me a story.","instructions":"Be brief.","max_output_tokens":64,"stream":true}""");
        Assert.Equal("gpt-4.1", request.Model);
        Assert.True(request.Stream);
        Assert.Equal("Be brief.", request.Instructions);
        Assert.Equal(64, request.MaxOutputTokens);
        var message = Assert.IsType<ResponsesMessage>(Assert.Single(request.Input));
        Assert.Equal("user", message.Role);
        Assert.Equal("Tell me a story.", Assert.IsType<ResponsesText>(Assert.Single(message.Content)).Text);
    }

    [Fact]
    public void What_codex_cli_sends_is_accepted_and_its_hosted_tools_are_listed()
    {
        var request = Decoded("""
            {"model":"gpt-5-codex","instructions":"You are Codex.","input":[
              {"type":"message","role":"developer","content":[{"type":"input_text","text":"<permissions>workspace-write</permissions>"}]},
              {"type":"message","role":"user","content":[{"type":"input_text","text":"list the files"}]},
              {"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"gAAAAB..."},
              {"type":"function_call","id":"fc_1","call_id":"call_1","name":"shell","arguments":"{\"command\":[\"ls\"]}"},
              {"type":"function_call_output","call_id":"call_1","output":"README.md\nsrc"}],
             "tools":[{"type":"function","name":"shell","description":"Runs a command","strict":false,"parameters":{"type":"object","properties":{"command":{"type":"array","items":{"type":"string"}}},"required":["command"]}},
                      {"type":"web_search"},{"type":"namespace","name":"mcp__docs","tools":[]}],
             "tool_choice":"auto","parallel_tool_calls":false,"reasoning":{"effort":"medium","summary":"auto"},"store":false,"stream":true,
             "include":["reasoning.encrypted_content"],"prompt_cache_key":"0199-abc","client_metadata":{"x-codex-turn":"1"},"text":{"verbosity":"medium"}}
            """);

        Assert.Null(request.UntranslatableField);
        Assert.Equal(["web_search", "namespace"], request.HostedTools);
        Assert.Equal("shell", Assert.Single(request.Tools).Name);
        Assert.False(request.ParallelToolCalls);
        Assert.Equal("medium", request.ReasoningEffort);
        Assert.Collection(
            request.Input,
            i => Assert.Equal("developer", Assert.IsType<ResponsesMessage>(i).Role),
            i => Assert.Equal("user", Assert.IsType<ResponsesMessage>(i).Role),
            i => Assert.IsType<ResponsesReasoning>(i),
            i => Assert.Equal(new ResponsesFunctionCall("call_1", "shell", "{\"command\":[\"ls\"]}"), i),
            i => Assert.Equal(new ResponsesFunctionCallOutput("call_1", "README.md\nsrc"), i));
    }

    [Theory]
    [InlineData("""{"model":"m","input":"hi","store":true}""", "store")]
    [InlineData("""{"model":"m","input":"hi","previous_response_id":"resp_123"}""", "previous_response_id")]
    [InlineData("""{"model":"m","input":"hi","conversation":"conv_1"}""", "conversation")]
    [InlineData("""{"model":"m","input":"hi","background":true}""", "background")]
    public void Stored_state_is_refused_saying_the_platform_keeps_no_conversation_data(string json, string param)
    {
        var error = Refused(json);
        Assert.Equal(param, error.Param);
        Assert.Equal("unsupported_parameter", error.OpenAiCode);
        Assert.Contains("keeps no conversation data", error.Message);
    }

    [Fact]
    public void Store_false_and_a_null_previous_response_id_are_fine()
    {
        Decoded("""{"model":"m","input":"hi","store":false,"previous_response_id":null}""");
    }

    [Fact]
    public void An_item_reference_needs_stored_items_and_is_refused()
    {
        var error = Refused("""{"model":"m","input":[{"type":"item_reference","id":"msg_1"}]}""");
        Assert.Contains("keeps no conversation data", error.Message);
    }

    [Theory]
    [InlineData("""[1]""", null, "invalid_type")]
    [InlineData("""{"input":"hi"}""", "model", "missing_required_parameter")]
    [InlineData("""{"model":"m"}""", "input", "missing_required_parameter")]
    [InlineData("""{"model":"m","input":[]}""", "input", "invalid_value")]
    [InlineData("""{"model":"m","input":42}""", "input", "invalid_type")]
    [InlineData("""{"model":"m","input":[{"role":"wizard","content":"x"}]}""", "input[0].role", "invalid_value")]
    [InlineData("""{"model":"m","input":[{"role":"user"}]}""", "input[0].content", "missing_required_parameter")]
    [InlineData("""{"model":"m","input":[{"type":"function_call","call_id":"c","arguments":"{}"}]}""", "input[0].name", "missing_required_parameter")]
    [InlineData("""{"model":"m","input":"hi","max_output_tokens":0}""", "max_output_tokens", "invalid_value")]
    [InlineData("""{"model":"m","input":"hi","max_output_tokens":"10"}""", "max_output_tokens", "invalid_type")]
    [InlineData("""{"model":"m","input":"hi","temperature":3}""", "temperature", "invalid_value")]
    [InlineData("""{"model":"m","input":"hi","stream":"yes"}""", "stream", "invalid_type")]
    [InlineData("""{"model":"m","input":"hi","tools":[{"type":"function"}]}""", "tools[0].name", "missing_required_parameter")]
    [InlineData("""{"model":"m","input":"hi","tool_choice":"sometimes"}""", "tool_choice", "invalid_value")]
    [InlineData("""{"model":"m","input":"hi","tool_choice":{"type":"function","name":"ghost"}}""", "tool_choice", "invalid_value")]
    [InlineData("""{"model":"m","input":"hi","text":{"format":{"type":"yaml"}}}""", "text.format.type", "invalid_value")]
    [InlineData("""{"model":"m","input":"hi","include":[1]}""", "include", "invalid_type")]
    public void Bad_input_gets_a_400_naming_the_field(string json, string? param, string code)
    {
        var error = Refused(json);
        Assert.Equal(param, error.Param);
        Assert.Equal(code, error.OpenAiCode);
    }

    [Theory]
    [InlineData("{\"model\":")]
    [InlineData("not json")]
    [InlineData("{\"model\":\"m\",\"input\":\"hi\"} trailing")]
    public void Malformed_json_is_invalid_json(string json) => Assert.Equal("invalid_json", Refused(json).OpenAiCode);

    [Theory]
    [InlineData("""{"model":"m","input":"hi","tools":[{"type":"custom","name":"apply_patch"}]}""", "tools[0].type (custom)")]
    [InlineData("""{"model":"m","input":[{"type":"local_shell_call","call_id":"c","action":{}}]}""", "input[0].type (local_shell_call)")]
    [InlineData("""{"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_id":"file_1"}]}]}""", "input[0].content[0].type (input_file)")]
    [InlineData("""{"model":"m","input":"hi","tool_choice":{"type":"web_search_preview"}}""", "tool_choice")]
    [InlineData("""{"model":"m","input":"hi","prompt":{"id":"pmpt_1"}}""", "prompt")]
    public void Fields_only_a_responses_upstream_understands_are_accepted_but_marked(string json, string field)
    {
        Assert.Equal(field, Decoded(json).UntranslatableField);
    }

    [Fact]
    public void Images_json_schema_and_a_forced_function_are_decoded()
    {
        var request = Decoded("""
            {"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"what is this?"},{"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgo=","detail":"low"}]}],
             "tools":[{"type":"function","name":"describe","parameters":{"type":"object"}}],"tool_choice":{"type":"function","name":"describe"},
             "text":{"format":{"type":"json_schema","name":"answer","schema":{"type":"object"},"strict":true}},"temperature":0.2,"top_p":0.9,"user":"u-1"}
            """);
        var message = Assert.IsType<ResponsesMessage>(Assert.Single(request.Input));
        Assert.Equal(new ResponsesImage("data:image/png;base64,iVBORw0KGgo=", "low"), message.Content[1]);
        Assert.Equal(ResponsesToolChoice.Function, request.ToolChoice);
        Assert.Equal("describe", request.ToolChoiceFunction);
        Assert.Equal("json_schema", request.TextFormat?.Type);
        Assert.Equal("answer", request.TextFormat?.Name);
        Assert.Equal(0.2, request.Temperature);
        Assert.Equal("u-1", request.User);
    }
}

public class ResponsesPassThroughTests
{
    private static string Rewritten(string body, string model)
    {
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        ResponsesPassThrough.Rewrite(Encoding.UTF8.GetBytes(body), model, output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void Maps_the_model_and_adds_store_false_keeping_every_other_byte() =>
        Assert.Equal("""{"store":false,"model":"gpt-4.1-2025-04-14", "input":"hi","x_unknown":[1, 2]}""", Rewritten("""{"model":"gpt-t", "input":"hi","x_unknown":[1, 2]}""", "gpt-4.1-2025-04-14"));

    [Fact]
    public void Leaves_an_explicit_store_false_alone() =>
        Assert.Equal("""{"model":"up","input":"hi","store":false,"stream":true}""", Rewritten("""{"model":"m","input":"hi","store":false,"stream":true}""", "up"));
}
