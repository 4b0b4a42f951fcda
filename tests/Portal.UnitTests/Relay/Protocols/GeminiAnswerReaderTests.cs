using System.Text;
using Portal.Relay.Protocols.Gemini;
using Portal.Relay.Tokens;

namespace Portal.UnitTests.Relay.Protocols;

public class GeminiAnswerReaderTests
{
    [Fact]
    public void A_streamed_answer_yields_text_then_one_finish_and_the_last_usage_with_cached_and_thinking_tokens()
    {
        var reader = new GeminiAnswerReader("call_x_");
        var first = reader.Read("""{"candidates":[{"content":{"parts":[{"text":"Once"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":9,"totalTokenCount":9}}"""u8)!;
        var thought = reader.Read("""{"candidates":[{"content":{"parts":[{"text":"thinking…","thought":true},{"text":" upon"}],"role":"model"}}]}"""u8)!;
        var last = reader.Read("""{"candidates":[{"content":{"parts":[{"text":" a time."}],"role":"model"},"finishReason":"MAX_TOKENS"}],"usageMetadata":{"promptTokenCount":1024,"cachedContentTokenCount":512,"candidatesTokenCount":17,"thoughtsTokenCount":12,"totalTokenCount":1053}}"""u8)!;

        Assert.Equal([new GeminiTextSignal("Once")], first);
        Assert.Equal([new GeminiTextSignal(" upon")], thought);
        Assert.Equal([new GeminiTextSignal(" a time."), new GeminiFinishSignal("length")], last);
        Assert.Equal(new TokenUsage(1024, 512, 29, IsEstimated: false) { ReasoningTokens = 12 }, reader.Usage);
        Assert.True(reader.Finished);
    }

    [Fact]
    public void Function_calls_get_ids_and_json_arguments_and_finish_as_tool_calls()
    {
        var reader = new GeminiAnswerReader("call_r_");
        var signals = reader.Read(Encoding.UTF8.GetBytes("""
            {"candidates":[{"content":{"parts":[{"functionCall":{"name":"find_theaters","args":{"location":"Mountain View, CA","movie":"Barbie"}}},{"functionCall":{"id":"g-2","name":"get_time","args":{}}}],"role":"model"},"finishReason":"STOP"}]}
            """))!;
        Assert.Equal(
            [new GeminiCallSignal(0, "call_r_0", "find_theaters", """{"location":"Mountain View, CA","movie":"Barbie"}"""), new GeminiCallSignal(1, "g-2", "get_time", "{}"), new GeminiFinishSignal("tool_calls")],
            signals);
    }

    [Theory]
    [InlineData("SAFETY", "content_filter")]
    [InlineData("RECITATION", "content_filter")]
    [InlineData("STOP", "stop")]
    [InlineData("OTHER", "stop")]
    public void Finish_reasons(string gemini, string openAi) => Assert.Equal(openAi, GeminiMapping.FinishReason(gemini, calledFunction: false));

    [Fact]
    public void A_blocked_prompt_finishes_as_content_filter()
    {
        var reader = new GeminiAnswerReader("c");
        Assert.Equal([new GeminiFinishSignal("content_filter")], reader.Read("""{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":7}}"""u8));
        Assert.Equal("SAFETY", reader.BlockReason);
    }

    [Fact]
    public void Google_errors_are_read() =>
        Assert.Equal(("* GenerateContentRequest.contents: contents is not specified", "INVALID_ARGUMENT"), GeminiMapping.ReadError("""{"error":{"code":400,"message":"* GenerateContentRequest.contents: contents is not specified\n","status":"INVALID_ARGUMENT"}}"""u8));
}
