using System.Text;
using Portal.Relay.Errors;

namespace Portal.UnitTests.Relay.Errors;

public class ChatRequestShapeTests
{
    private static Portal.Core.Common.Result<ChatRequestShape> Validate(string json) => ChatRequestShape.Validate(Encoding.UTF8.GetBytes(json));

    private static InvalidRequestError Invalid(string json)
    {
        var result = Validate(json);
        Assert.False(result.IsSuccess);
        return Assert.IsType<InvalidRequestError>(result.Error);
    }

    [Fact]
    public void Reads_the_fields_the_relay_needs()
    {
        var result = Validate("""
            {"model":"gpt-4o","messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"hi"}]}],
             "stream":true,"max_tokens":100,"stream_options":{"include_usage":true},"temperature":0.2,"x":{"y":[1,2]}}
            """);

        Assert.True(result.IsSuccess);
        Assert.Equal(new ChatRequestShape("gpt-4o", 2, Stream: true, MaxOutputTokens: 100, IncludeUsage: true), result.Value);
    }

    [Fact]
    public void Defaults_when_optional_fields_are_absent_or_null()
    {
        var result = Validate("""{"model":"m","messages":[{"role":"user","content":"hi"}],"stream":null,"max_tokens":null}""");

        Assert.Equal(new ChatRequestShape("m", 1, false, null, false), result.Value);
    }

    [Fact]
    public void Max_completion_tokens_wins_over_max_tokens()
    {
        var result = Validate("""{"max_completion_tokens":50,"model":"m","messages":[{"role":"user"}],"max_tokens":100}""");

        Assert.Equal(50, result.Value!.MaxOutputTokens);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"model\":\"m\",}")]
    [InlineData("{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]} trailing")]
    [InlineData("{\"model\":\"m\",\"messages\":[{\"role\":\"user\"}]}{}")]
    [InlineData("not json")]
    public void Malformed_json_is_invalid_json(string json)
    {
        var error = Invalid(json);

        Assert.Equal("invalid_json", error.OpenAiCode);
        Assert.Null(error.Param);
    }

    [Theory]
    [InlineData("[]", null, "invalid_type")]
    [InlineData("""{"messages":[{"role":"user"}]}""", "model", "missing_required_parameter")]
    [InlineData("""{"model":"","messages":[{"role":"user"}]}""", "model", "missing_required_parameter")]
    [InlineData("""{"model":42,"messages":[{"role":"user"}]}""", "model", "invalid_type")]
    [InlineData("""{"model":"m"}""", "messages", "missing_required_parameter")]
    [InlineData("""{"model":"m","messages":"hi"}""", "messages", "invalid_type")]
    [InlineData("""{"model":"m","messages":[]}""", "messages", "invalid_value")]
    [InlineData("""{"model":"m","messages":["hi"]}""", "messages[0]", "invalid_type")]
    [InlineData("""{"model":"m","messages":[{"role":"user"},{"content":"x"}]}""", "messages[1].role", "missing_required_parameter")]
    [InlineData("""{"model":"m","messages":[{"role":"robot"}]}""", "messages[0].role", "invalid_value")]
    [InlineData("""{"model":"m","messages":[{"role":1}]}""", "messages[0].role", "invalid_type")]
    [InlineData("""{"model":"m","messages":[{"role":"user"}],"stream":"yes"}""", "stream", "invalid_type")]
    [InlineData("""{"model":"m","messages":[{"role":"user"}],"max_tokens":"10"}""", "max_tokens", "invalid_type")]
    [InlineData("""{"model":"m","messages":[{"role":"user"}],"max_tokens":1.5}""", "max_tokens", "invalid_type")]
    [InlineData("""{"model":"m","messages":[{"role":"user"}],"max_tokens":0}""", "max_tokens", "invalid_value")]
    [InlineData("""{"model":"m","messages":[{"role":"user"}],"max_completion_tokens":-1}""", "max_completion_tokens", "invalid_value")]
    [InlineData("""{"model":"m","messages":[{"role":"user"}],"stream_options":{"include_usage":true}}""", "stream_options", "invalid_value")]
    [InlineData("""{"model":"m","messages":[{"role":"user"}],"stream":true,"stream_options":[]}""", "stream_options", "invalid_type")]
    [InlineData("""{"model":"m","messages":[{"role":"user"}],"stream":true,"stream_options":{"include_usage":"yes"}}""", "stream_options.include_usage", "invalid_type")]
    public void Wrong_shapes_name_the_offending_parameter(string json, string? param, string code)
    {
        var error = Invalid(json);

        Assert.Equal(param, error.Param);
        Assert.Equal(code, error.OpenAiCode);
        Assert.Equal(400, OpenAiErrors.InvalidRequest(error).StatusCode);
    }

    [Fact]
    public void Validating_a_valid_body_allocates_only_the_result()
    {
        var body = Encoding.UTF8.GetBytes("""{"model":"gpt-4o","messages":[{"role":"user","content":"hello"},{"role":"assistant","content":"hi"}],"stream":true,"temperature":1}""");
        ChatRequestShape.Validate(body);

        var before = GC.GetAllocatedBytesForCurrentThread();
        ChatRequestShape.Validate(body);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.InRange(allocated, 1, 200); // the model string and the shape record
    }
}
