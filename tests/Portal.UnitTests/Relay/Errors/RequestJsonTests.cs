using System.Text;
using Portal.Relay.Errors;

namespace Portal.UnitTests.Relay.Errors;

public class RequestJsonTests
{
    private static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);

    private static byte[] WithBytes(string before, byte[] raw, string after) => [.. Utf8(before), .. raw, .. Utf8(after)];

    private static string Nested(int depth, string inner) => new string('[', depth) + inner + new string(']', depth);

    public static TheoryData<string, byte[]> MalformedBodies() => new()
    {
        { "invalid UTF-8 in model", WithBytes("{\"model\":\"gpt", [0xFF, 0xFE], "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}") },
        { "invalid UTF-8 in content", WithBytes("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"a", [0xC3], "\"}]}") },
        { "overlong encoding", WithBytes("{\"model\":\"m\",\"input\":\"", [0xC0, 0xAF], "\"}") },
        { "UTF-8 encoded surrogate", WithBytes("{\"model\":\"m\",\"input\":\"", [0xED, 0xA0, 0x80], "\"}") },
        { "invalid UTF-8 in a property name", WithBytes("{\"", [0xFF], "\":1}") },
        { "lone high surrogate escape", Utf8("""{"model":"m","input":"\ud800"}""") },
        { "lone low surrogate escape", Utf8("""{"model":"m","input":"x\udc00"}""") },
        { "high surrogate followed by a letter", Utf8("""{"model":"m","input":"\ud83dA"}""") },
        { "two high surrogates", Utf8("""{"model":"m","input":"\ud83d\ud83d"}""") },
        { "lone surrogate in a property name", Utf8("""{"\uDBFF":1}""") },
        { "too deep", Utf8("{\"model\":\"m\",\"x\":" + Nested(RequestJson.MaxDepth, "1") + "}") },
        { "empty", [] },
        { "whitespace only", Utf8("  \n") },
        { "trailing garbage", Utf8("""{"model":"m"} x""") },
        { "two values", Utf8("""{"a":1}{"b":2}""") },
        { "truncated", Utf8("""{"model":"m","messages":[{"role":"us""") },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public void Malformed_bodies_are_refused(string because, byte[] body)
    {
        Assert.False(RequestJson.IsWellFormed(body), because);
        var chat = ChatRequestShape.Validate(body);
        var embeddings = EmbeddingsRequestShape.Validate(body);
        Assert.Equal("invalid_json", Assert.IsType<InvalidRequestError>(chat.Error).OpenAiCode);
        Assert.Equal("invalid_json", Assert.IsType<InvalidRequestError>(embeddings.Error).OpenAiCode);
    }

    [Theory]
    [InlineData("""{"model":"m","input":"\ud83d\ude00 and \u00e9 and \\ud800 (an escaped backslash, not an escape)"}""")]
    [InlineData("""{"model":"模型","input":"你好 😀"}""")]
    [InlineData("""{"\ud83d\ude00":true,"n":1e400,"m":-0.0}""")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    public void Valid_bodies_pass(string json)
    {
        Assert.True(RequestJson.IsWellFormed(Utf8(json)));
    }

    [Fact]
    public void One_depth_limit_for_every_validator()
    {
        // MaxDepth levels in total: the root object plus MaxDepth - 1 arrays.
        var deepest = Utf8("""{"model":"m","messages":[{"role":"user","content":"hi"}],"input":"x","x":""" + Nested(RequestJson.MaxDepth - 1, "1") + "}");
        var tooDeep = Utf8("""{"model":"m","messages":[{"role":"user","content":"hi"}],"input":"x","x":""" + Nested(RequestJson.MaxDepth, "1") + "}");

        Assert.True(ChatRequestShape.Validate(deepest).IsSuccess);
        Assert.True(EmbeddingsRequestShape.Validate(deepest).IsSuccess);
        Assert.Equal("invalid_json", Assert.IsType<InvalidRequestError>(ChatRequestShape.Validate(tooDeep).Error).OpenAiCode);
        Assert.Equal("invalid_json", Assert.IsType<InvalidRequestError>(EmbeddingsRequestShape.Validate(tooDeep).Error).OpenAiCode);
    }
}
