using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Portal.Relay.Protocols.Gemini;
using Portal.Relay.Upstream;

namespace Portal.UnitTests.Relay.Protocols;

public class GeminiSimulatorTests
{
    private static SimulatorUpstream Simulator() => new(new SimulatorOptions { Seed = 3 }, new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero)));

    private static byte[] Body(string text, string extra = "") => Encoding.UTF8.GetBytes(
        $$"""{"systemInstruction":{"parts":[{"text":"Be brief."}]},"contents":[{"role":"user","parts":[{"text":{{JsonSerializer.Serialize(text)}}}]}]{{extra}}}""");

    [Fact]
    public void Answers_in_geminis_shape_and_the_stream_says_the_same_with_usage_last()
    {
        var whole = GeminiSimulator.Generate(Simulator(), "gemini-2.5-flash", Body("你好"));
        var json = JsonDocument.Parse(whole.Body).RootElement;
        var candidate = json.GetProperty("candidates")[0];
        Assert.Equal("model", candidate.GetProperty("content").GetProperty("role").GetString());
        Assert.Equal("STOP", candidate.GetProperty("finishReason").GetString());
        var text = candidate.GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString();
        Assert.Contains("模拟", text);
        Assert.Equal(whole.Usage.CompletionTokens, json.GetProperty("usageMetadata").GetProperty("candidatesTokenCount").GetInt64());

        var stream = GeminiSimulator.Stream(Simulator(), "gemini-2.5-flash", Body("你好"));
        var chunks = stream.Chunks.Select(c => JsonDocument.Parse(Encoding.UTF8.GetString(c.Event)["data: ".Length..]).RootElement).ToList();
        Assert.Equal(text, string.Concat(chunks.Select(c => c.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString())));
        Assert.Equal("STOP", chunks[^1].GetProperty("candidates")[0].GetProperty("finishReason").GetString());
        Assert.All(chunks[..^1], c => Assert.False(c.TryGetProperty("usageMetadata", out _)));
        Assert.Equal(whole.Usage, stream.Usage);
    }

    [Fact]
    public void Calls_the_declared_function_until_it_has_a_result()
    {
        const string Tools = ""","tools":[{"functionDeclarations":[{"name":"find_theaters","parametersJsonSchema":{"type":"object","properties":{"location":{"type":"string"},"unit":{"type":"string","enum":["c","f"]},"limit":{"type":"integer"}},"required":["location","unit","limit"]}}]}]""";
        var whole = GeminiSimulator.Generate(Simulator(), "gemini-2.5-flash", Body("Which theaters show Barbie?", Tools));
        var call = JsonDocument.Parse(whole.Body).RootElement.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0].GetProperty("functionCall");
        Assert.Equal("find_theaters", call.GetProperty("name").GetString());
        Assert.Equal("""{"location":"simulated","unit":"c","limit":1}""", call.GetProperty("args").GetRawText());

        var answered = Encoding.UTF8.GetBytes("""{"contents":[{"role":"user","parts":[{"text":"Which?"}]},{"role":"model","parts":[{"functionCall":{"name":"find_theaters","args":{}}}]},{"role":"user","parts":[{"functionResponse":{"name":"find_theaters","response":{"content":"Cinemark"}}}]}]"""
            + Tools + "}");
        var text = JsonDocument.Parse(GeminiSimulator.Generate(Simulator(), "gemini-2.5-flash", answered).Body).RootElement.GetProperty("candidates")[0].GetProperty("content").GetProperty("parts")[0];
        Assert.True(text.TryGetProperty("text", out _));
    }

    [Fact]
    public void Batch_embeddings_come_back_one_vector_per_text()
    {
        var reply = GeminiSimulator.BatchEmbed(Simulator(), "gemini-embedding-001", """{"requests":[{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"a"}]},"outputDimensionality":8},{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"b"}]},"outputDimensionality":8}]}"""u8);
        var embeddings = JsonDocument.Parse(reply.Body).RootElement.GetProperty("embeddings");
        Assert.Equal(2, embeddings.GetArrayLength());
        Assert.Equal(8, embeddings[0].GetProperty("values").GetArrayLength());
    }
}
