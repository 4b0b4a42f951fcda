using System.Buffers;
using System.Text;
using Portal.Relay.Streaming;
using Portal.Relay.Tokens;

namespace Portal.UnitTests.Relay.Streaming;

public class ChunkInspectorTests
{
    [Fact]
    public void Reads_usage_including_cached_tokens()
    {
        var info = ChunkInspector.Inspect("""{"id":"x","model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":19,"completion_tokens":5,"total_tokens":24,"prompt_tokens_details":{"cached_tokens":3,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}"""u8);

        Assert.True(info.IsJson);
        Assert.Equal("gpt-4o-2024-08-06", info.Model);
        Assert.Equal(new TokenUsage(19, 3, 5, IsEstimated: false), info.Usage);
        Assert.True(info.IsUsageOnly);
    }

    [Fact]
    public void Null_usage_is_no_usage()
    {
        var info = ChunkInspector.Inspect("""{"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}],"usage":null}"""u8);

        Assert.Null(info.Usage);
        Assert.False(info.IsUsageOnly);
        Assert.Equal(1, info.ChoiceCount);
        Assert.False(info.HasFinishReason);
    }

    [Fact]
    public void Usage_on_a_content_chunk_is_not_usage_only()
    {
        // Some upstreams (vLLM, DeepSeek) attach usage to the last content chunk instead of sending an extra one.
        var info = ChunkInspector.Inspect("""{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2}}"""u8);

        Assert.NotNull(info.Usage);
        Assert.True(info.HasFinishReason);
        Assert.False(info.IsUsageOnly);
        Assert.False(ChunkInspector.IsUsageOnlyChunk("""{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2}}"""u8));
    }

    [Fact]
    public void Collects_delta_content_and_tool_call_arguments_unescaped()
    {
        var text = new ArrayBufferWriter<byte>();

        ChunkInspector.Inspect("""{"choices":[{"index":0,"delta":{"content":"\u4f60\u597d \"quoted\""}}]}"""u8, text);
        ChunkInspector.Inspect("""{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]}"""u8, text);
        ChunkInspector.Inspect("""{"choices":[{"index":0,"delta":{"content":null}}]}"""u8, text);

        Assert.Equal("你好 \"quoted\"{\"city\":", Encoding.UTF8.GetString(text.WrittenSpan));
    }

    [Fact]
    public void Collects_message_content_of_a_non_streaming_completion()
    {
        var text = new ArrayBufferWriter<byte>();

        var info = ChunkInspector.Inspect("""{"object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hello world"},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}"""u8, text);

        Assert.Equal("hello world", Encoding.UTF8.GetString(text.WrittenSpan));
        Assert.Equal(new TokenUsage(9, 0, 2, false), info.Usage);
    }

    [Theory]
    [InlineData("[DONE]")]
    [InlineData("{\"truncated\":")]
    [InlineData("[1,2]")]
    [InlineData("")]
    public void Non_chunk_payloads_are_not_json_chunks(string payload)
    {
        Assert.False(ChunkInspector.Inspect(Encoding.UTF8.GetBytes(payload)).IsJson);
    }

    [Fact]
    public void Negative_or_non_numeric_counts_read_as_zero()
    {
        var info = ChunkInspector.Inspect("""{"choices":[],"usage":{"prompt_tokens":-5,"completion_tokens":"7"}}"""u8);

        Assert.Equal(new TokenUsage(0, 0, 0, false), info.Usage);
    }
}
