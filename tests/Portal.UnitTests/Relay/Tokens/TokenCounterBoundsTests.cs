using System.Diagnostics;
using System.Text;
using Portal.Relay.Tokens;

namespace Portal.UnitTests.Relay.Tokens;

/// <summary>
/// Metering is linear and bounded: ordinary text counts exactly as the tokenizer does, pathological bodies are counted
/// fast (precise targets live in the metering benchmark; the bound here is only a guard), and counting stops when the
/// request is aborted.
/// </summary>
public class TokenCounterBoundsTests
{
    private const int EightMiB = 8 * 1024 * 1024;
    private static readonly TokenCounter Counter = TokenCounter.Shared;

    public static TheoryData<string, TokenEncoding> OrdinaryTexts()
    {
        var data = new TheoryData<string, TokenEncoding>();
        foreach (var kind in MeteringTexts.OrdinaryKinds)
        {
            data.Add(kind, TokenEncoding.O200kBase);
            data.Add(kind, TokenEncoding.Cl100kBase);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OrdinaryTexts))]
    public void Ordinary_text_counts_exactly_as_the_tokenizer(string kind, TokenEncoding encoding)
    {
        // Long enough to be cut into many pieces, short enough to stay within the exact budget.
        var text = MeteringTexts.Ordinary(kind, TokenCounter.ExactCharsPerCount - 1000, seed: 7);
        var exact = TokenCounter.TokenizerFor(encoding).CountTokens(text);

        Assert.Equal(exact, Counter.CountText(text, encoding));
        Assert.Equal(exact, Counter.CountUtf8(Encoding.UTF8.GetBytes(text), encoding));
    }

    [Theory]
    [InlineData(TokenEncoding.O200kBase)]
    [InlineData(TokenEncoding.Cl100kBase)]
    public void Special_token_text_and_short_strings_count_exactly(TokenEncoding encoding)
    {
        var tokenizer = TokenCounter.TokenizerFor(encoding);
        var text = string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i}<|endoftext|> done.\n  "));
        Assert.Equal(tokenizer.CountTokens(text), Counter.CountText(text, encoding));
        foreach (var small in new[] { "a", " ", "\n\n", "你", "😀", "x<|endoftext|>y", "   leading", "trailing   " })
            Assert.Equal(tokenizer.CountTokens(small), Counter.CountText(small, encoding));
    }

    [Fact]
    public void Body_of_many_ordinary_strings_counts_exactly_within_the_budget()
    {
        var inputs = Enumerable.Range(0, 200).Select(i => MeteringTexts.Ordinary("mixed", 400, seed: i)).ToArray();
        var body = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new { model = "text-embedding-3-small", input = inputs }));
        var tokenizer = TokenCounter.TokenizerFor(TokenEncoding.Cl100kBase);

        Assert.Equal(inputs.Sum(i => tokenizer.CountTokens(i)), Counter.CountEmbeddingsInput(body, TokenEncoding.Cl100kBase));
    }

    [Fact]
    public void Text_beyond_the_budget_is_estimated_close_to_the_exact_count()
    {
        // Homogeneous text five times the budget: the repeated sentences keep the library's exact count cheap here.
        var text = MeteringTexts.Ordinary("english", 5 * TokenCounter.ExactCharsPerCount, seed: 3);
        var exact = TokenCounter.TokenizerFor(TokenEncoding.O200kBase).CountTokens(text);

        var counted = Counter.CountText(text, TokenEncoding.O200kBase);

        Assert.InRange(counted, exact * 0.97, exact * 1.03);
    }

    [Fact]
    public void Cheap_text_in_front_does_not_make_expensive_text_behind_it_look_cheap()
    {
        // The exact budget is spent on English (~0.2 tokens per char); the remainder is random CJK (~1 token per char).
        var cheap = MeteringTexts.Ordinary("english", TokenCounter.ExactCharsPerCount, seed: 4);
        var expensive = string.Concat(Enumerable.Range(0, 40_000).Select(i => MeteringTexts.Pathological("cjk-run", 30, seed: i) + "。"));
        var counted = Counter.CountText(cheap + expensive, TokenEncoding.O200kBase);

        var cheapTokens = Counter.CountText(cheap, TokenEncoding.O200kBase);
        Assert.True(counted - cheapTokens > expensive.Length / 2, $"{counted - cheapTokens} tokens estimated for {expensive.Length} CJK characters");
    }

    public static TheoryData<string> PathologicalKinds() => new(MeteringTexts.PathologicalKinds);

    [Theory]
    [MemberData(nameof(PathologicalKinds))]
    public void Eight_MiB_of_pathological_text_is_counted_quickly(string kind)
    {
        var body = MeteringTexts.EmbeddingsBody(MeteringTexts.Pathological(kind, EightMiB), EightMiB);
        Counter.CountEmbeddingsInput("""{"input":"warm up"}"""u8, TokenEncoding.Cl100kBase);

        var cpu = Stopwatch.StartNew();
        var tokens = Counter.CountEmbeddingsInput(body, TokenEncoding.Cl100kBase);
        cpu.Stop();

        // A guard only (the quadratic path took minutes); the benchmark's `metering` mode measures the real figure.
        Assert.True(cpu.Elapsed < TimeSpan.FromSeconds(10), $"{kind}: {cpu.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(tokens > 0);
    }

    [Fact]
    public void Counting_stops_when_the_request_is_aborted()
    {
        var body = MeteringTexts.EmbeddingsBody(MeteringTexts.Pathological("random-words", EightMiB - 100));
        using var aborted = new CancellationTokenSource();
        aborted.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => Counter.CountEmbeddingsInput(body, TokenEncoding.O200kBase, aborted.Token));
        Assert.ThrowsAny<OperationCanceledException>(() => Counter.CountChatPrompt(MeteringTexts.ChatBody("hello"), TokenEncoding.O200kBase, aborted.Token));
    }
}
