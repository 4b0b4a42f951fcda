using System.Buffers;
using System.Text;
using Portal.Relay.Streaming;

namespace Portal.UnitTests.Relay.Streaming;

public class RequestBodyRewriterTests
{
    private static (string Body, RewriteOutcome Outcome) Rewrite(string json, string? model, bool ensureUsage = true)
    {
        var output = new ArrayBufferWriter<byte>();
        var outcome = RequestBodyRewriter.Rewrite(Encoding.UTF8.GetBytes(json), model, ensureUsage, output);
        return (Encoding.UTF8.GetString(output.WrittenSpan), outcome);
    }

    [Fact]
    public void Replaces_the_model_and_keeps_every_other_byte()
    {
        const string json = """{ "model" : "gpt-4o", "temperature": 0.70, "top_p":1e0, "x_unknown": {"nested": [1, 2.50, "é\u00e9"]},"messages":[{"role":"user","content":"hi"}] }""";

        var (body, outcome) = Rewrite(json, "gpt-4o-2024-08-06");

        Assert.Equal(json.Replace("\"gpt-4o\"", "\"gpt-4o-2024-08-06\"", StringComparison.Ordinal), body);
        Assert.True(outcome.ModelReplaced);
        Assert.False(outcome.Stream);
        Assert.False(outcome.UsageRequestAdded);
    }

    [Fact]
    public void Null_model_leaves_the_body_unchanged()
    {
        const string json = """{"model":"m","messages":[]}""";

        Assert.Equal(json, Rewrite(json, null).Body);
    }

    [Fact]
    public void New_model_is_json_escaped()
    {
        var (body, _) = Rewrite("""{"model":"m"}""", "a\"b");

        Assert.Equal("""{"model":"a\u0022b"}""", body);
    }

    [Fact]
    public void Streaming_request_without_stream_options_gets_include_usage()
    {
        var (body, outcome) = Rewrite("""{"model":"m","stream":true,"messages":[]}""", "up");

        Assert.Equal("""{"model":"up","stream":true,"messages":[],"stream_options":{"include_usage":true}}""", body);
        Assert.True(outcome.UsageRequestAdded);
        Assert.False(outcome.ClientRequestedUsage);
    }

    [Fact]
    public void Streaming_request_with_empty_stream_options_gets_include_usage()
    {
        var (body, _) = Rewrite("""{"stream":true,"stream_options":{},"model":"m"}""", "up");

        Assert.Equal("""{"stream":true,"stream_options":{"include_usage":true},"model":"up"}""", body);
    }

    [Fact]
    public void Streaming_request_with_other_stream_options_keeps_them()
    {
        var (body, _) = Rewrite("""{"model":"m","stream":true,"stream_options":{"x":1}}""", "up");

        Assert.Equal("""{"model":"up","stream":true,"stream_options":{"include_usage":true,"x":1}}""", body);
    }

    [Fact]
    public void Include_usage_false_is_turned_on_and_remembered_as_not_asked()
    {
        var (body, outcome) = Rewrite("""{"stream_options":{"include_usage":false},"model":"m","stream":true}""", "up");

        Assert.Equal("""{"stream_options":{"include_usage":true},"model":"up","stream":true}""", body);
        Assert.False(outcome.ClientRequestedUsage);
        Assert.True(outcome.UsageRequestAdded);
    }

    [Fact]
    public void Null_stream_options_become_an_object()
    {
        var (body, _) = Rewrite("""{"model":"m","stream":true,"stream_options":null}""", null);

        Assert.Equal("""{"model":"m","stream":true,"stream_options":{"include_usage":true}}""", body);
    }

    [Fact]
    public void Client_that_asked_for_usage_is_remembered_and_body_unchanged()
    {
        const string json = """{"model":"m","stream":true,"stream_options":{"include_usage":true}}""";

        var (body, outcome) = Rewrite(json, null);

        Assert.Equal(json, body);
        Assert.True(outcome.ClientRequestedUsage);
        Assert.False(outcome.UsageRequestAdded);
    }

    [Fact]
    public void Non_streaming_request_gets_no_stream_options()
    {
        const string json = """{"model":"m","stream":false}""";

        Assert.Equal(json, Rewrite(json, null).Body);
    }

    [Fact]
    public void Embeddings_body_only_gets_its_model_replaced()
    {
        var (body, _) = Rewrite("""{"input":["a","b"],"model":"emb","encoding_format":"base64"}""", "text-embedding-3-small", ensureUsage: false);

        Assert.Equal("""{"input":["a","b"],"model":"text-embedding-3-small","encoding_format":"base64"}""", body);
    }

    [Fact]
    public void Nested_model_fields_are_left_alone()
    {
        var (body, _) = Rewrite("""{"metadata":{"model":"keep"},"model":"m"}""", "up");

        Assert.Equal("""{"metadata":{"model":"keep"},"model":"up"}""", body);
    }

    [Fact]
    public void Model_after_stream_options_is_also_replaced_in_order()
    {
        var (body, _) = Rewrite("""{"stream":true,"stream_options":{"x":1},"model":"m","n":1}""", "up");

        Assert.Equal("""{"stream":true,"stream_options":{"include_usage":true,"x":1},"model":"up","n":1}""", body);
    }
}
