using System.Text;
using Portal.Relay.Tokens;

namespace Portal.UnitTests.Relay.Tokens;

public class TokenCounterTests
{
    private static readonly TokenCounter Counter = TokenCounter.Shared;

    private static byte[] Json(string json) => Encoding.UTF8.GetBytes(json);

    // Every expected number below was produced by running the tokenizer once, then pinned.
    [Theory]
    [InlineData(TokenEncoding.O200kBase, "hello world", 2)]
    [InlineData(TokenEncoding.Cl100kBase, "hello world", 2)]
    [InlineData(TokenEncoding.O200kBase, "Hello, world!", 4)]
    [InlineData(TokenEncoding.O200kBase, "The quick brown fox jumps over the lazy dog.", 10)]
    [InlineData(TokenEncoding.O200kBase, "你好，世界", 3)]
    [InlineData(TokenEncoding.Cl100kBase, "你好，世界", 6)]
    [InlineData(TokenEncoding.O200kBase, "You are a helpful assistant.", 6)]
    [InlineData(TokenEncoding.O200kBase, "", 0)]
    public void Counts_plain_text(TokenEncoding encoding, string text, int expected)
    {
        Assert.Equal(expected, Counter.CountText(text, encoding));
        Assert.Equal(expected, Counter.CountUtf8(Encoding.UTF8.GetBytes(text), encoding));
    }

    [Fact]
    public void Chat_prompt_follows_openai_recipe()
    {
        // system: 3 + "system"(1) + "You are a helpful assistant."(6) = 10
        // user:   3 + "user"(1) + "hello world"(2) = 6
        // reply priming: 3 → 19
        var body = Json("""{"model":"gpt-4o","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"hello world"}]}""");

        Assert.Equal(19, Counter.CountChatPrompt(body, TokenEncoding.O200kBase));
        Assert.Equal(19, Counter.CountChatPrompt(body, TokenEncoding.Cl100kBase));
    }

    [Fact]
    public void Chat_prompt_counts_chinese_with_the_right_encoding()
    {
        var body = Json("""{"messages":[{"role":"user","content":"你好，世界"}]}""");

        Assert.Equal(3 + 1 + 3 + 3, Counter.CountChatPrompt(body, TokenEncoding.O200kBase));
        Assert.Equal(3 + 1 + 6 + 3, Counter.CountChatPrompt(body, TokenEncoding.Cl100kBase));
    }

    [Fact]
    public void Name_costs_one_token_more_plus_its_text()
    {
        var without = Json("""{"messages":[{"role":"user","content":"hello world"}]}""");
        var with = Json("""{"messages":[{"role":"user","name":"example_user","content":"hello world"}]}""");

        // "example_user" is 2 tokens, +1 for having a name.
        Assert.Equal(Counter.CountChatPrompt(without, TokenEncoding.O200kBase) + 2 + 1, Counter.CountChatPrompt(with, TokenEncoding.O200kBase));
    }

    [Fact]
    public void Content_parts_count_text_and_a_flat_estimate_per_image()
    {
        var body = Json("""
            {"messages":[{"role":"user","content":[
              {"type":"text","text":"hello world"},
              {"type":"image_url","image_url":{"url":"https://example.com/a.png","detail":"low"}},
              {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}
            ]}]}
            """);

        Assert.Equal(3 + 1 + 2 + 85 + 765 + 3, Counter.CountChatPrompt(body, TokenEncoding.O200kBase));
    }

    [Fact]
    public void Text_parts_equal_the_same_text_as_a_string()
    {
        var asString = Json("""{"messages":[{"role":"user","content":"hello world"}]}""");
        var asParts = Json("""{"messages":[{"role":"user","content":[{"type":"text","text":"hello world"}]}]}""");

        Assert.Equal(Counter.CountChatPrompt(asString, TokenEncoding.O200kBase), Counter.CountChatPrompt(asParts, TokenEncoding.O200kBase));
    }

    [Fact]
    public void Tool_calls_count_their_json_text()
    {
        const string toolCalls = """[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Beijing\"}"}}]""";
        var body = Json($$"""{"messages":[{"role":"assistant","content":null,"tool_calls":{{toolCalls}}},{"role":"tool","tool_call_id":"call_1","content":"sunny"}]}""");

        var expected = 3 + 1 + Counter.CountText(toolCalls, TokenEncoding.O200kBase)
                       + 3 + 1 + Counter.CountText("call_1", TokenEncoding.O200kBase) + Counter.CountText("sunny", TokenEncoding.O200kBase)
                       + 3;
        Assert.Equal(expected, Counter.CountChatPrompt(body, TokenEncoding.O200kBase));
    }

    [Fact]
    public void Tool_definitions_count_their_json_text()
    {
        const string tools = """[{"type":"function","function":{"name":"f","parameters":{}}}]""";
        var without = Json("""{"messages":[{"role":"user","content":"hi"}]}""");
        var with = Json($$"""{"tools":{{tools}},"messages":[{"role":"user","content":"hi"}]}""");

        Assert.Equal(Counter.CountChatPrompt(without, TokenEncoding.O200kBase) + Counter.CountText(tools, TokenEncoding.O200kBase), Counter.CountChatPrompt(with, TokenEncoding.O200kBase));
    }

    [Fact]
    public void Escaped_strings_are_counted_unescaped()
    {
        var plain = Json("""{"messages":[{"role":"user","content":"你好，世界"}]}""");
        var escaped = Json("""{"messages":[{"role":"user","content":"\u4f60\u597d\uff0c\u4e16\u754c"}]}""");

        Assert.Equal(Counter.CountChatPrompt(plain, TokenEncoding.O200kBase), Counter.CountChatPrompt(escaped, TokenEncoding.O200kBase));
    }

    [Fact]
    public void Long_strings_are_counted_through_the_pool()
    {
        var text = string.Concat(Enumerable.Repeat("hello world ", 2_000));
        var body = Json($$"""{"messages":[{"role":"user","content":"{{text}}"}]}""");

        Assert.Equal(3 + 1 + Counter.CountText(text, TokenEncoding.O200kBase) + 3, Counter.CountChatPrompt(body, TokenEncoding.O200kBase));
    }

    [Theory]
    [InlineData("""{"model":"text-embedding-3-small","input":"hello world"}""", 2)]
    [InlineData("""{"input":["hello world","Hello, world!"]}""", 6)]
    [InlineData("""{"input":[15339,1917]}""", 2)]
    [InlineData("""{"input":[[15339,1917],[1,2,3]]}""", 5)]
    [InlineData("""{"model":"x"}""", 0)]
    public void Embeddings_input_in_every_shape(string json, int expected)
    {
        Assert.Equal(expected, Counter.CountEmbeddingsInput(Json(json), TokenEncoding.Cl100kBase));
    }

    [Theory]
    [InlineData("gpt-4o", TokenEncoding.O200kBase)]
    [InlineData("gpt-4o-mini", TokenEncoding.O200kBase)]
    [InlineData("gpt-4.1", TokenEncoding.O200kBase)]
    [InlineData("o3-mini", TokenEncoding.O200kBase)]
    [InlineData("gpt-4", TokenEncoding.Cl100kBase)]
    [InlineData("gpt-4-turbo", TokenEncoding.Cl100kBase)]
    [InlineData("gpt-3.5-turbo", TokenEncoding.Cl100kBase)]
    [InlineData("text-embedding-3-small", TokenEncoding.Cl100kBase)]
    [InlineData("deepseek-chat", TokenEncoding.O200kBase)]
    [InlineData(null, TokenEncoding.O200kBase)]
    public void Model_maps_to_its_encoding(string? model, TokenEncoding expected)
    {
        Assert.Equal(expected, TokenEncodings.ForModel(model));
    }

    [Fact]
    public void Counting_is_thread_safe()
    {
        var body = Json("""{"messages":[{"role":"user","content":"The quick brown fox jumps over the lazy dog."}]}""");
        var results = new int[64];

        Parallel.For(0, results.Length, i => results[i] = Counter.CountChatPrompt(body, i % 2 == 0 ? TokenEncoding.O200kBase : TokenEncoding.Cl100kBase));

        Assert.All(results, r => Assert.Equal(3 + 1 + 10 + 3, r));
    }
}
