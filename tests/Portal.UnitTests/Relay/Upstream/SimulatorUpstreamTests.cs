using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Portal.Relay.Streaming;
using Portal.Relay.Tokens;
using Portal.Relay.Upstream;

namespace Portal.UnitTests.Relay.Upstream;

public class SimulatorUpstreamTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static SimulatorUpstream Simulator(SimulatorOptions? options = null) =>
        new(options ?? new SimulatorOptions(), new FakeTimeProvider(Now));

    private static byte[] Chat(string userText, string extra = "") => Encoding.UTF8.GetBytes(
        $$"""{"model":"gpt-4o","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":{{JsonSerializer.Serialize(userText)}}}]{{extra}}}""");

    [Fact]
    public void Chat_completion_looks_like_openai()
    {
        var request = Chat("hello world");

        var response = Simulator().CreateChatCompletion(request);

        using var document = JsonDocument.Parse(response.Body);
        var root = document.RootElement;
        Assert.Matches("^chatcmpl-[0-9A-Za-z]{29}$", root.GetProperty("id").GetString());
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        Assert.Equal(Now.ToUnixTimeSeconds(), root.GetProperty("created").GetInt64());
        Assert.Equal("gpt-4o", root.GetProperty("model").GetString());
        Assert.Equal("fp_portal_sim", root.GetProperty("system_fingerprint").GetString());
        var choice = root.GetProperty("choices")[0];
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        var content = choice.GetProperty("message").GetProperty("content").GetString()!;
        Assert.StartsWith("This is a simulated reply", content, StringComparison.Ordinal);

        var usage = root.GetProperty("usage");
        Assert.Equal(19, usage.GetProperty("prompt_tokens").GetInt32()); // see TokenCounterTests.Chat_prompt_follows_openai_recipe
        Assert.Equal(TokenCounter.Shared.CountText(content, TokenEncoding.O200kBase), usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32() + usage.GetProperty("completion_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32());
        Assert.InRange(response.Usage.CompletionTokens, 20, 80);
    }

    [Fact]
    public void Same_question_gets_the_same_answer_and_a_new_id()
    {
        var simulator = Simulator();

        using var first = JsonDocument.Parse(simulator.CreateChatCompletion(Chat("What is 2+2?")).Body);
        using var second = JsonDocument.Parse(simulator.CreateChatCompletion(Chat("What is 2+2?")).Body);
        using var other = JsonDocument.Parse(Simulator().CreateChatCompletion(Chat("Tell me a story")).Body);

        static string Content(JsonDocument d) => d.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        Assert.Equal(Content(first), Content(second));
        Assert.NotEqual(first.RootElement.GetProperty("id").GetString(), second.RootElement.GetProperty("id").GetString());
        Assert.NotEqual(Content(first), Content(other));
    }

    [Fact]
    public void Same_seed_gives_the_same_ids()
    {
        var a = Simulator(new SimulatorOptions { Seed = 7 }).CreateChatCompletion(Chat("hi"));
        var b = Simulator(new SimulatorOptions { Seed = 7 }).CreateChatCompletion(Chat("hi"));

        Assert.Equal(a.Body, b.Body);
    }

    [Fact]
    public void Answers_in_chinese_when_the_user_writes_chinese()
    {
        var response = Simulator().CreateChatCompletion(Chat("你好，请介绍一下你自己"));

        using var document = JsonDocument.Parse(response.Body);
        var content = document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        Assert.StartsWith("这是 Portal 模拟通道生成的回复。", content, StringComparison.Ordinal);
    }

    [Fact]
    public void Max_tokens_truncates_with_finish_reason_length()
    {
        var response = Simulator().CreateChatCompletion(Chat("hello", ""","max_tokens":5"""));

        using var document = JsonDocument.Parse(response.Body);
        Assert.Equal("length", document.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(5, response.Usage.CompletionTokens);
    }

    [Fact]
    public void Non_streaming_delay_is_latency_plus_generation_time()
    {
        var response = Simulator(new SimulatorOptions { Latency = TimeSpan.FromMilliseconds(100), TokensPerSecond = 10 })
            .CreateChatCompletion(Chat("hello", ""","max_tokens":5"""));

        Assert.Equal(TimeSpan.FromMilliseconds(100 + 500), response.Delay);
    }

    [Fact]
    public async Task Stream_has_role_content_finish_usage_and_done_chunks()
    {
        var simulator = Simulator(new SimulatorOptions { Latency = TimeSpan.FromMilliseconds(300), TokensPerSecond = 20 });
        var stream = simulator.CreateChatCompletionChunks(Chat("hello world", ""","stream":true,"stream_options":{"include_usage":true}"""));
        var bytes = stream.Chunks.SelectMany(c => c.Event).ToArray();

        // Read it back the way the relay reads a real upstream.
        var infos = new List<ChunkInfo>();
        using var meter = new StreamMeter();
        await using var reader = new SseEventReader(new MemoryStream(bytes));
        var ids = new HashSet<string>();
        while (await reader.ReadAsync())
        {
            infos.Add(meter.Observe(reader.Current));
            if (!reader.Current.IsDone)
            {
                using var chunk = JsonDocument.Parse(reader.Current.Data.ToArray());
                Assert.Equal("chat.completion.chunk", chunk.RootElement.GetProperty("object").GetString());
                ids.Add(chunk.RootElement.GetProperty("id").GetString()!);
            }
        }

        Assert.Single(ids);
        Assert.True(meter.SawDone);
        Assert.True(meter.SawFinishReason);
        Assert.True(infos[^2].IsUsageOnly);
        Assert.Equal(stream.Usage, meter.ReportedUsage);
        Assert.Equal(stream.Usage.CompletionTokens, meter.Resolve(0, TokenEncoding.O200kBase).CompletionTokens);

        // Estimated from the deltas, the count matches what the simulator reported.
        var estimate = new StreamMeter();
        await using (var again = new SseEventReader(new MemoryStream(bytes)))
        {
            while (await again.ReadAsync())
            {
                if (!ChunkInspector.IsUsageOnlyChunk(again.Current.Data.Span)) estimate.Observe(again.Current);
            }
        }

        Assert.Equal(stream.Usage.CompletionTokens, estimate.Resolve(stream.Usage.PromptTokens, TokenEncoding.O200kBase).CompletionTokens);
        estimate.Dispose();

        Assert.Equal(TimeSpan.FromMilliseconds(300), stream.Chunks[0].Delay);
        Assert.All(stream.Chunks.Skip(1).Take(stream.Chunks.Count - 4), c => Assert.Equal(TimeSpan.FromMilliseconds(50), c.Delay));
    }

    [Fact]
    public void Stream_without_include_usage_has_no_usage_chunk_and_no_usage_field()
    {
        var stream = Simulator().CreateChatCompletionChunks(Chat("hello", ""","stream":true"""));

        var events = stream.Chunks.Select(c => Encoding.UTF8.GetString(c.Event)).ToList();
        Assert.Equal("data: [DONE]\n\n", events[^1]);
        Assert.DoesNotContain(events, e => e.Contains("\"usage\"", StringComparison.Ordinal));
        Assert.Contains("\"finish_reason\":\"stop\"", events[^2], StringComparison.Ordinal);
    }

    [Fact]
    public void Streamed_content_chunks_concatenate_to_the_full_reply_in_chinese_too()
    {
        var simulator = Simulator(new SimulatorOptions { Seed = 1 });
        var whole = simulator.CreateChatCompletion(Chat("你好"));
        var stream = simulator.CreateChatCompletionChunks(Chat("你好", ""","stream":true"""));

        using var document = JsonDocument.Parse(whole.Body);
        var expected = document.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        var streamed = new StringBuilder();
        foreach (var chunk in stream.Chunks.Select(c => Encoding.UTF8.GetString(c.Event)).Where(e => !e.Contains("[DONE]", StringComparison.Ordinal)))
        {
            using var json = JsonDocument.Parse(chunk["data: ".Length..]);
            if (json.RootElement.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var piece)) streamed.Append(piece.GetString());
        }

        Assert.Equal(expected, streamed.ToString());
        Assert.True(stream.Chunks.Count > 5);
    }

    [Fact]
    public void Failure_rate_is_deterministic_for_a_seed()
    {
        var options = new SimulatorOptions { FailureRate = 0.3, Seed = 123 };
        var first = Simulator(options);
        var second = Simulator(options);

        var a = Enumerable.Range(0, 1_000).Select(_ => first.NextFailure() is not null).ToList();
        var b = Enumerable.Range(0, 1_000).Select(_ => second.NextFailure() is not null).ToList();

        Assert.Equal(a, b);
        Assert.InRange(a.Count(f => f), 250, 350);
    }

    [Fact]
    public void Failures_carry_the_configured_status()
    {
        var always = Simulator(new SimulatorOptions { FailureRate = 1, FailureStatusCode = 502 });
        var never = Simulator(new SimulatorOptions { FailureRate = 0 });

        Assert.Equal(502, always.NextFailure()!.StatusCode);
        Assert.Null(never.NextFailure());
        Assert.Equal(429, Simulator(new SimulatorOptions { FailureRate = 1, FailureStatusCode = 429 }).NextFailure()!.StatusCode);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    public void Invalid_options_are_rejected(double failureRate)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Simulator(new SimulatorOptions { FailureRate = failureRate }));
    }

    [Fact]
    public void Invalid_request_is_a_bug_of_the_caller()
    {
        Assert.Throws<ArgumentException>(() => Simulator().CreateChatCompletion("{\"model\":\"m\"}"u8));
    }

    [Fact]
    public void Embeddings_are_deterministic_unit_vectors_with_usage()
    {
        var simulator = Simulator();
        var request = """{"model":"text-embedding-3-small","input":["hello world","Hello, world!","hello world"]}"""u8.ToArray();

        var response = simulator.CreateEmbeddings(request);

        using var document = JsonDocument.Parse(response.Body);
        var root = document.RootElement;
        Assert.Equal("list", root.GetProperty("object").GetString());
        Assert.Equal("text-embedding-3-small", root.GetProperty("model").GetString());
        var data = root.GetProperty("data");
        Assert.Equal(3, data.GetArrayLength());
        var vectors = data.EnumerateArray().Select(d => d.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToList();
        Assert.All(vectors, v => Assert.Equal(256, v.Length));
        Assert.All(vectors, v => Assert.InRange(Math.Sqrt(v.Sum(x => (double)x * x)), 0.999, 1.001));
        Assert.Equal(vectors[0], vectors[2]);
        Assert.NotEqual(vectors[0], vectors[1]);
        Assert.Equal([0, 1, 2], data.EnumerateArray().Select(d => d.GetProperty("index").GetInt32()));
        Assert.Equal(2 + 4 + 2, root.GetProperty("usage").GetProperty("prompt_tokens").GetInt32()); // cl100k counts
        Assert.Equal(8, response.Usage.PromptTokens);
    }

    [Fact]
    public void Embeddings_honour_dimensions_and_base64_encoding()
    {
        var simulator = Simulator();
        var asFloats = simulator.CreateEmbeddings("""{"model":"e","input":"hi","dimensions":8}"""u8);
        var asBase64 = simulator.CreateEmbeddings("""{"model":"e","input":"hi","dimensions":8,"encoding_format":"base64"}"""u8);

        using var floats = JsonDocument.Parse(asFloats.Body);
        using var base64 = JsonDocument.Parse(asBase64.Body);
        var expected = floats.RootElement.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        var bytes = Convert.FromBase64String(base64.RootElement.GetProperty("data")[0].GetProperty("embedding").GetString()!);
        var decoded = Enumerable.Range(0, bytes.Length / 4).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4))).ToArray();

        Assert.Equal(8, expected.Length);
        Assert.Equal(expected, decoded);
    }

    [Fact]
    public void Token_array_input_is_one_embedding()
    {
        var response = Simulator().CreateEmbeddings("""{"model":"e","input":[15339,1917]}"""u8);

        using var document = JsonDocument.Parse(response.Body);
        Assert.Equal(1, document.RootElement.GetProperty("data").GetArrayLength());
        Assert.Equal(2, response.Usage.PromptTokens);
    }

    [Fact]
    public void Serves_a_chat_body_as_deep_as_the_relay_accepts()
    {
        var deepest = new string('[', Portal.Relay.Errors.RequestJson.MaxDepth - 1) + new string(']', Portal.Relay.Errors.RequestJson.MaxDepth - 1);
        var request = Chat("hello", ",\"metadata_x\":" + deepest);
        Assert.True(Portal.Relay.Errors.ChatRequestShape.Validate(request).IsSuccess);

        var response = Simulator().CreateChatCompletion(request);

        Assert.NotEmpty(response.Body);
    }

    [Fact]
    public void Refuses_more_embedding_dimensions_than_it_can_produce()
    {
        var tooMany = SimulatorUpstream.RefuseEmbeddings("""{"model":"e","input":"a","dimensions":3073}"""u8);
        var fine = SimulatorUpstream.RefuseEmbeddings("""{"model":"e","input":"a","dimensions":3072}"""u8);

        Assert.Equal(400, tooMany?.StatusCode);
        Assert.Equal("dimensions", tooMany?.Error.Param);
        Assert.Null(fine);
    }
}
