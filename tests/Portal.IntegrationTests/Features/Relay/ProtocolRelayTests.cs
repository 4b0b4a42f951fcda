#pragma warning disable OPENAI001 // the Responses client is marked experimental in the OpenAI 2.x .NET SDK
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using OpenAI.Responses;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Usage;
using Portal.IntegrationTests.Infrastructure;
using Portal.Relay.Billing;
using Portal.Relay.Tokens;

namespace Portal.IntegrationTests.Features.Relay;

/// <summary>
/// <c>/v1/responses</c> (pass-through and translated) and the Gemini and Azure OpenAI upstreams, end to end: the official
/// OpenAI .NET SDK as the client, fake upstreams on real sockets replaying the providers' documented examples.
/// </summary>
public abstract class ProtocolRelayTests<TFactory>(TFactory factory, FakeProtocolUpstream protocols, FakeOpenAiUpstream openAi) : IClassFixture<TFactory>
    where TFactory : PortalFactory
{
    private const long InputPrice = 2_500_000;    // ¥2.5 per 1M input tokens
    private const long OutputPrice = 10_000_000;  // ¥10 per 1M output tokens
    private const long CachedPrice = InputPrice / 2;

    private static readonly ModelPrices Prices = new(new Money(InputPrice), new Money(OutputPrice), new Money(CachedPrice));

    private static long Cost(long input, long cached, long output) => Pricing.Cost(input, cached, 0, output, Prices).MicroYuan;

    private static string NewModelId(string stem) => $"{stem}-{Guid.NewGuid():N}"[..(stem.Length + 9)];

    private async Task<(Guid TenantId, string Secret)> FundedTenantAsync(long yuan = 100)
    {
        var (_, tenantId) = await factory.VerifiedTenantAsync();
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(yuan))).IsSuccess);
        var (secret, _) = await factory.KeyAsync(tenantId);
        return (tenantId, secret);
    }

    /// <summary>A chat model on one channel; <paramref name="configure"/> sets the type-specific fields (and the key for every type).</summary>
    private async Task<string> ModelAsync(string stem, ChannelType type, string baseUrl, string upstreamModelId, Action<Channel>? configure = null, ModelKind kind = ModelKind.Chat)
    {
        var model = await factory.ModelAsync(NewModelId(stem), kind, InputPrice, OutputPrice, new ChannelSpec(stem, type, baseUrl, UpstreamModelId: upstreamModelId));
        await using var scope = factory.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var secrets = scope.ServiceProvider.GetRequiredService<ChannelSecrets>();
        var channel = await db.Channels.SingleAsync(c => c.Models.Any(m => m.PublicModelId == model));
        channel.ApiKeyProtected = secrets.Protect(FakeProtocolUpstream.UpstreamKey);
        channel.ApiKeyLast4 = ChannelSecrets.Last4(FakeProtocolUpstream.UpstreamKey);
        configure?.Invoke(channel);
        await db.SaveChangesAsync();
        scope.ServiceProvider.GetRequiredService<IRelayCache>().CatalogChanged();
        return model;
    }

    private Task<string> ResponsesPassThroughModelAsync(string behaviour = "ok") =>
        ModelAsync("resp", ChannelType.OpenAICompatible, protocols.BaseUrl(behaviour, openAiV1: true), "gpt-4.1", c => c.SupportsResponsesApi = true);

    private Task<string> ChatOnlyModelAsync(string behaviour = "ok") => ModelAsync("chat", ChannelType.OpenAICompatible, openAi.BaseUrl(behaviour), "vendor-chat");

    private Task<string> GeminiModelAsync(string behaviour = "ok") => ModelAsync("gem", ChannelType.Gemini, protocols.BaseUrl(behaviour), "gemini-2.5-flash");

    private Task<string> GeminiEmbeddingModelAsync(string behaviour = "ok") =>
        ModelAsync("gemb", ChannelType.Gemini, protocols.BaseUrl(behaviour), "gemini-embedding-001", kind: ModelKind.Embedding);

    private Task<string> AzureModelAsync(string behaviour = "ok") =>
        ModelAsync("az", ChannelType.AzureOpenAI, protocols.BaseUrl(behaviour), "gpt4-deployment", c => c.AzureApiVersion = "2024-10-21");

    private OpenAIClientOptions SdkOptions() => new()
    {
        Endpoint = new Uri("http://localhost/v1"),
        Transport = new HttpClientPipelineTransport(factory.CreateClient()),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    };

    private ResponsesClient Responses(string secret) => new OpenAIClient(new ApiKeyCredential(secret), SdkOptions()).GetResponsesClient();

    private ChatClient Chat(string secret, string model) => new OpenAIClient(new ApiKeyCredential(secret), SdkOptions()).GetChatClient(model);

    private static ResponseTool WeatherTool() => ResponseTool.CreateFunctionTool(
        "get_current_weather",
        BinaryData.FromString("""{"type":"object","properties":{"location":{"type":"string"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location","unit"]}"""),
        strictModeEnabled: false,
        functionDescription: "Get the current weather in a given location");

    private static CreateResponseOptions Options(string model, string input, bool tools = false, bool stream = false)
    {
        var options = new CreateResponseOptions { Model = model, Instructions = "Answer briefly.", StoredOutputEnabled = false, MaxOutputTokenCount = 200, StreamingEnabled = stream ? true : null };
        options.InputItems.Add(ResponseItem.CreateUserMessageItem(input));
        if (tools) options.Tools.Add(WeatherTool());
        return options;
    }

    private async Task<UsageRecord> SingleUsageAsync(Guid tenantId)
    {
        await factory.SettleAsync();
        var record = Assert.Single(await factory.UsageAsync(tenantId));
        await factory.AssertUsageInvariantAsync(tenantId);
        return record;
    }

    [Fact]
    public async Task Responses_pass_through_is_byte_for_byte_and_charges_the_reported_usage_with_cached_tokens()
    {
        var (tenantId, secret) = await FundedTenantAsync();
        var model = await ResponsesPassThroughModelAsync();

        // The SDK sees OpenAI's documented function-call answer.
        ResponseResult result = await Responses(secret).CreateResponseAsync(Options(model, "What is the weather like in Boston today?", tools: true));
        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(result.OutputItems));
        Assert.Equal("get_current_weather", call.FunctionName);
        Assert.Equal("call_unLAR8MvFNptuiZK6K6HCy5k", call.CallId);
        Assert.Equal("{\"location\":\"Boston, MA\",\"unit\":\"celsius\"}", call.FunctionArguments.ToString());

        // The upstream got the mapped model, store false and its own key; the body otherwise as sent.
        var sent = protocols.Requests.Last(r => r.PathAndQuery.EndsWith("/v1/responses", StringComparison.Ordinal));
        Assert.Equal("Bearer " + FakeProtocolUpstream.UpstreamKey, sent.Headers["Authorization"]);
        var sentJson = JsonDocument.Parse(sent.Body).RootElement;
        Assert.Equal("gpt-4.1", sentJson.GetProperty("model").GetString());
        Assert.False(sentJson.GetProperty("store").GetBoolean());

        var record = await SingleUsageAsync(tenantId);
        Assert.Equal(UsageEndpoint.Responses, record.Endpoint);
        Assert.Equal(ChannelType.OpenAICompatible, record.ChannelType);
        Assert.Equal((291L, 128L, 23L), (record.InputTokens, record.CachedInputTokens, record.OutputTokens));
        Assert.Equal(Cost(291, 128, 23), record.CostMicroYuan);
        Assert.False(record.Estimated);

        // Raw: the client's bytes are the fixture's bytes.
        using var http = factory.RelayClient(secret);
        var raw = await http.PostAsync("/v1/responses", RelayArrange.Json($$"""{"model":"{{model}}","input":"Tell me a three sentence bedtime story about a unicorn."}"""));
        Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        Assert.Equal(FakeProtocolUpstream.Fixture("responses-text.json"), await raw.Content.ReadAsStringAsync());
        Assert.StartsWith("{\"store\":false,", protocols.Requests.Last().Body);
    }

    [Fact]
    public async Task Responses_pass_through_streams_every_event_byte_for_byte()
    {
        var (tenantId, secret) = await FundedTenantAsync();
        var model = await ResponsesPassThroughModelAsync();

        var text = new StringBuilder();
        ResponseResult? completed = null;
        await foreach (var update in await Responses(secret).CreateResponseStreamingAsync(Options(model, "hello", stream: true)))
        {
            if (update is StreamingResponseOutputTextDeltaUpdate delta) text.Append(delta.Delta);
            if (update is StreamingResponseCompletedUpdate done) completed = done.Response;
        }

        Assert.Equal("Hi there! How can I assist you today?", text.ToString());
        Assert.Equal(37, completed?.Usage.InputTokenCount);

        using var http = factory.RelayClient(secret);
        var raw = await http.PostAsync("/v1/responses", RelayArrange.Json($$"""{"model":"{{model}}","input":"hello","stream":true,"store":false}"""));
        Assert.Equal("text/event-stream", raw.Content.Headers.ContentType?.MediaType);
        Assert.Equal(FakeProtocolUpstream.Fixture("responses-text.sse"), await raw.Content.ReadAsStringAsync());

        await factory.SettleAsync();
        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(2, usage.Count);
        Assert.All(usage, u =>
        {
            Assert.True(u.Stream);
            Assert.Equal(Cost(37, 0, 11), u.CostMicroYuan);
            Assert.Equal(UsageEndpoint.Responses, u.Endpoint);
        });
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Responses_translated_to_chat_completions_streaming_and_not()
    {
        var (tenantId, secret) = await FundedTenantAsync();
        var model = await ChatOnlyModelAsync();
        var client = Responses(secret);

        ResponseResult result = await client.CreateResponseAsync(Options(model, "Say hello"));
        Assert.Equal("Hello from the fake upstream.", result.GetOutputText());
        Assert.Equal(ResponseStatus.Completed, result.Status);
        Assert.Equal((int)FakeOpenAiUpstream.PromptTokens, result.Usage.InputTokenCount);
        Assert.Equal((int)FakeOpenAiUpstream.CompletionTokens, result.Usage.OutputTokenCount);

        // The chat upstream got instructions as the system message, the input as the user message, and max_tokens.
        var sent = JsonDocument.Parse(openAi.Requests.Last().Body).RootElement;
        Assert.Equal("vendor-chat", sent.GetProperty("model").GetString());
        var messages = sent.GetProperty("messages");
        Assert.Equal("system", messages[0].GetProperty("role").GetString());
        Assert.Equal("user", messages[1].GetProperty("role").GetString());

        var text = new StringBuilder();
        var kinds = new List<string>();
        ResponseResult? completed = null;
        await foreach (var update in await client.CreateResponseStreamingAsync(Options(model, "Say hello", stream: true)))
        {
            kinds.Add(update.GetType().Name);
            if (update is StreamingResponseOutputTextDeltaUpdate delta) text.Append(delta.Delta);
            if (update is StreamingResponseCompletedUpdate done) completed = done.Response;
        }

        Assert.Equal("Hello from the fake upstream.", text.ToString());
        Assert.Equal("Hello from the fake upstream.", completed?.GetOutputText());
        Assert.Equal((int)FakeOpenAiUpstream.CompletionTokens, completed?.Usage.OutputTokenCount);
        Assert.Equal(nameof(StreamingResponseCreatedUpdate), kinds[0]);
        Assert.Equal(nameof(StreamingResponseCompletedUpdate), kinds[^1]);

        await factory.SettleAsync();
        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(2, usage.Count);
        Assert.All(usage, u =>
        {
            Assert.Equal(UsageEndpoint.Responses, u.Endpoint);
            Assert.Equal(Cost(FakeOpenAiUpstream.PromptTokens, 0, FakeOpenAiUpstream.CompletionTokens), u.CostMicroYuan);
        });
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Responses_translated_to_gemini_calls_functions_streaming_and_not()
    {
        var (tenantId, secret) = await FundedTenantAsync();
        var model = await GeminiModelAsync();
        var client = Responses(secret);

        ResponseResult result = await client.CreateResponseAsync(Options(model, "Which theaters in Mountain View show Barbie?", tools: true));
        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(result.OutputItems));
        Assert.Equal("find_theaters", call.FunctionName);
        Assert.Equal(new Dictionary<string, string> { ["location"] = "Mountain View, CA", ["movie"] = "Barbie" }, JsonSerializer.Deserialize<Dictionary<string, string>>(call.FunctionArguments.ToString()));

        var sent = protocols.Requests.Last();
        Assert.EndsWith("/v1beta/models/gemini-2.5-flash:generateContent", sent.PathAndQuery);
        Assert.Equal(FakeProtocolUpstream.UpstreamKey, sent.Headers["x-goog-api-key"]);
        var body = JsonDocument.Parse(sent.Body).RootElement;
        Assert.Equal("Answer briefly.", body.GetProperty("systemInstruction").GetProperty("parts")[0].GetProperty("text").GetString());
        Assert.Equal("get_current_weather", body.GetProperty("tools")[0].GetProperty("functionDeclarations")[0].GetProperty("name").GetString());

        var arguments = new StringBuilder();
        string? name = null;
        await foreach (var update in await client.CreateResponseStreamingAsync(Options(model, "Which theaters?", tools: true, stream: true)))
        {
            if (update is StreamingResponseFunctionCallArgumentsDeltaUpdate delta) arguments.Append(delta.Delta);
            if (update is StreamingResponseOutputItemDoneUpdate { Item: FunctionCallResponseItem item }) name = item.FunctionName;
        }

        Assert.Equal("find_theaters", name);
        Assert.Equal("Barbie", JsonDocument.Parse(arguments.ToString()).RootElement.GetProperty("movie").GetString());
        Assert.EndsWith(":streamGenerateContent?alt=sse", protocols.Requests.Last().PathAndQuery);

        await factory.SettleAsync();
        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(2, usage.Count);
        Assert.All(usage, u =>
        {
            Assert.Equal(ChannelType.Gemini, u.ChannelType);
            Assert.Equal((131L, 24L), (u.InputTokens, u.OutputTokens));
            Assert.Equal(Cost(131, 0, 24), u.CostMicroYuan);
        });
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Chat_completions_through_gemini_match_the_checked_in_answer_and_bill_cached_and_thinking_tokens()
    {
        var (tenantId, secret) = await FundedTenantAsync();
        var model = await GeminiModelAsync();

        using var http = factory.RelayClient(secret);
        var raw = await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, "Explain how AI works in one sentence", maxTokens: 100)));
        Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        Assert.Equal(Normalised(FakeProtocolUpstream.Fixture("expected-chat-from-gemini-text.json").Replace("__MODEL__", model)), Normalised(await raw.Content.ReadAsStringAsync()));

        var record = await SingleUsageAsync(tenantId);
        Assert.Equal(UsageEndpoint.ChatCompletions, record.Endpoint);
        Assert.Equal((1024L, 512L, 29L), (record.InputTokens, record.CachedInputTokens, record.OutputTokens));
        Assert.Equal(Cost(1024, 512, 29), record.CostMicroYuan);
    }

    [Fact]
    public async Task Chat_completions_stream_through_gemini_with_the_sdk_and_tools()
    {
        var (tenantId, secret) = await FundedTenantAsync();
        var model = await GeminiModelAsync();
        var chat = Chat(secret, model);

        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Write a story about a magic backpack.")]))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            usage ??= update.Usage;
        }

        Assert.Equal("Once upon a time, in a quiet village, a curious robot named Bolt learned to paint the stars.", text.ToString());
        Assert.Equal(22, usage?.OutputTokenCount);

        var tool = ChatTool.CreateFunctionTool("find_theaters", "Find theaters showing a movie", BinaryData.FromString("""{"type":"object","properties":{"location":{"type":"string"},"movie":{"type":"string"}},"required":["location"]}"""));
        var calls = new Dictionary<int, (string? Name, StringBuilder Arguments)>();
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Which theaters show Barbie?")], new ChatCompletionOptions { Tools = { tool } }))
        {
            foreach (var call in update.ToolCallUpdates)
            {
                if (!calls.TryGetValue(call.Index, out var entry)) calls[call.Index] = entry = (call.FunctionName, new StringBuilder());
                entry.Arguments.Append(call.FunctionArgumentsUpdate?.ToString());
            }

            finish ??= update.FinishReason;
        }

        var only = Assert.Single(calls.Values);
        Assert.Equal("find_theaters", only.Name);
        Assert.Equal("Mountain View, CA", JsonDocument.Parse(only.Arguments.ToString()).RootElement.GetProperty("location").GetString());
        Assert.Equal(ChatFinishReason.ToolCalls, finish);

        await factory.SettleAsync();
        Assert.Equal([Cost(131, 0, 24), Cost(9, 0, 22)], (await factory.UsageAsync(tenantId)).Select(u => u.CostMicroYuan).Order().Reverse());
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Chat_completions_through_azure_pass_through_to_the_deployment_with_api_key_and_version()
    {
        var (tenantId, secret) = await FundedTenantAsync();
        var model = await AzureModelAsync();

        using var http = factory.RelayClient(secret);
        var raw = await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model)));
        Assert.Equal(FakeProtocolUpstream.Fixture("azure-chat.json"), await raw.Content.ReadAsStringAsync());
        var sent = protocols.Requests.Last();
        Assert.EndsWith("/openai/deployments/gpt4-deployment/chat/completions?api-version=2024-10-21", sent.PathAndQuery);
        Assert.Equal(FakeProtocolUpstream.UpstreamKey, sent.Headers["api-key"]);
        Assert.False(sent.Headers.ContainsKey("Authorization"));

        var text = new StringBuilder();
        await foreach (var update in Chat(secret, model).CompleteChatStreamingAsync([new UserChatMessage("Do other Azure AI services support this too?")]))
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
        Assert.Equal("Yes, other Azure AI services also support customer managed keys.", text.ToString());

        await factory.SettleAsync();
        Assert.All(await factory.UsageAsync(tenantId), u =>
        {
            Assert.Equal(ChannelType.AzureOpenAI, u.ChannelType);
            Assert.Equal(Cost(59, 0, 58), u.CostMicroYuan);
        });
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Theory]
    [InlineData("\"store\":true", "store")]
    [InlineData("\"previous_response_id\":\"resp_67ccd2bed1ec8190\"", "previous_response_id")]
    public async Task Stored_conversation_state_is_refused_with_a_clear_400(string field, string param)
    {
        var (tenantId, secret) = await FundedTenantAsync();
        var model = await ChatOnlyModelAsync();
        using var http = factory.RelayClient(secret);
        var response = await http.PostAsync("/v1/responses", RelayArrange.Json($$"""{"model":"{{model}}","input":"hi",{{field}}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains("keeps no conversation data", error.GetProperty("message").GetString());

        var sdk = await Assert.ThrowsAsync<ClientResultException>(() => Responses(secret).CreateResponseAsync(model, "hi", previousResponseId: "resp_1"));
        Assert.Equal(400, sdk.Status);
        await factory.SettleAsync();
        Assert.Empty(await factory.UsageAsync(tenantId));
    }

    [Fact]
    public async Task Bad_input_on_v1_responses_never_gets_a_5xx()
    {
        var (_, secret) = await FundedTenantAsync();
        var model = await ChatOnlyModelAsync();
        var gemini = await GeminiModelAsync();
        using var http = factory.RelayClient(secret);
        string[] bodies =
        [
            "", "null", "[]", "\"x\"", "{", "{}", """{"model":1}""", $$"""{"model":"{{model}}"}""", $$"""{"model":"{{model}}","input":null}""",
            $$"""{"model":"{{model}}","input":[null]}""", $$"""{"model":"{{model}}","input":[{"type":"message"}]}""", $$"""{"model":"{{model}}","input":[{"role":"user","content":[{"type":"input_image"}]}]}""",
            $$"""{"model":"{{model}}","input":"hi","tools":"all"}""", $$"""{"model":"{{model}}","input":"hi","tools":[{"type":"function","name":"f","parameters":"x"}]}""",
            $$"""{"model":"{{model}}","input":"hi","max_output_tokens":-5}""", $$"""{"model":"{{model}}","input":"hi","max_output_tokens":1e99}""", $$"""{"model":"{{model}}","input":"hi","text":{"format":[]} }""",
            $$"""{"model":"{{gemini}}","input":"hi","tools":[{"type":"custom","name":"apply_patch"}]}""", $$"""{"model":"{{gemini}}","input":[{"type":"local_shell_call","call_id":"c"}]}""",
            $$"""{"model":"unknown-model","input":"hi"}""", new string('[', 10_000),
        ];
        foreach (var body in bodies)
        {
            var response = await http.PostAsync("/v1/responses", RelayArrange.Json(body));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode is >= 400 and < 500, $"{body[..Math.Min(60, body.Length)]} → {(int)response.StatusCode} {text}");
            Assert.True(JsonDocument.Parse(text).RootElement.TryGetProperty("error", out _), text);
        }
    }

    [Fact]
    public async Task A_field_the_target_cannot_express_is_a_400_naming_it()
    {
        var (_, secret) = await FundedTenantAsync();
        var gemini = await GeminiModelAsync();
        using var http = factory.RelayClient(secret);
        var response = await http.PostAsync("/v1/responses", RelayArrange.Json($$"""{"model":"{{gemini}}","input":"hi","tools":[{"type":"custom","name":"apply_patch"}]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Contains("tools[0].type (custom)", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_upstream_breaking_off_a_translated_stream_ends_with_response_failed_and_charges_what_was_generated()
    {
        var (tenantId, secret) = await FundedTenantAsync();
        var model = await ChatOnlyModelAsync("die");
        using var http = factory.RelayClient(secret);
        var response = await http.PostAsync("/v1/responses", RelayArrange.Json($$"""{"model":"{{model}}","input":"hi","stream":true}"""));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("event: response.created", text);
        Assert.Contains("\"delta\":\"Hello\"", text);
        Assert.EndsWith("\n\n", text);
        Assert.Contains("event: response.failed", text);
        Assert.DoesNotContain("response.completed", text);

        var record = await SingleUsageAsync(tenantId);
        Assert.Equal(UsageStatus.UpstreamInterrupted, record.Status);
        Assert.True(record.Estimated);
        Assert.True(record.OutputTokens > 0);
        Assert.Equal(Cost(record.InputTokens, 0, record.OutputTokens), record.CostMicroYuan);
    }

    [Fact]
    public async Task Concurrent_responses_requests_keep_the_ledger_invariant()
    {
        var (tenantId, secret) = await FundedTenantAsync(yuan: 1);
        var translated = await ChatOnlyModelAsync();
        var passThrough = await ResponsesPassThroughModelAsync();
        using var http = factory.RelayClient(secret);
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            var model = i % 2 == 0 ? translated : passThrough;
            var response = await http.PostAsync("/v1/responses", RelayArrange.Json($$"""{"model":"{{model}}","input":"hi","stream":{{(i % 3 == 0 ? "true" : "false")}}}"""));
            await response.Content.ReadAsStringAsync();
            return response.StatusCode;
        }));
        Assert.All(results, s => Assert.Equal(HttpStatusCode.OK, s));

        await factory.SettleAsync();
        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(40, usage.Count);
        var wallet = await factory.WalletRowAsync(tenantId);
        Assert.Equal(Money.FromYuan(1).MicroYuan - usage.Sum(u => u.WalletChargedMicroYuan), wallet.BalanceMicroYuan);
        await factory.AssertUsageInvariantAsync(tenantId);
        await factory.AssertReservedMatchesLeasesAsync(tenantId);
    }

    [Fact]
    public async Task Embeddings_through_gemini_use_embedContent_and_batchEmbedContents_and_are_metered_as_estimated()
    {
        var (tenantId, secret) = await FundedTenantAsync();
        var model = await GeminiEmbeddingModelAsync();
        var client = new OpenAIClient(new ApiKeyCredential(secret), SdkOptions()).GetEmbeddingClient(model);

        // One input: :embedContent; the SDK (base64 by default) gets Google's documented vector back exactly.
        OpenAIEmbedding single = await client.GenerateEmbeddingAsync("What is the meaning of life?");
        float[] documented = [-0.0096467f, 0.0007296525f, -0.00043612285f, -0.022153579f, 0.0008618069f, 0.014402815f, -0.0105638225f, 0.009155893f];
        Assert.Equal(documented, single.ToFloats().ToArray());
        var sent = protocols.Requests.Last();
        Assert.EndsWith("/v1beta/models/gemini-embedding-001:embedContent", sent.PathAndQuery);
        Assert.Equal(FakeProtocolUpstream.UpstreamKey, sent.Headers["x-goog-api-key"]);
        var body = JsonDocument.Parse(sent.Body).RootElement;
        Assert.Equal("models/gemini-embedding-001", body.GetProperty("model").GetString());
        Assert.Equal("What is the meaning of life?", body.GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString());

        // A list with dimensions: :batchEmbedContents, one request per input, outputDimensionality set.
        OpenAIEmbeddingCollection batch = await client.GenerateEmbeddingsAsync(["How does alphafold work?", "How do I bake bread?"], new EmbeddingGenerationOptions { Dimensions = 4 });
        Assert.Equal(2, batch.Count);
        Assert.Equal([0, 1], batch.Select(e => e.Index));
        Assert.Equal([0.01945673f, -0.0074153855f, -0.026118793f, 0.0039210324f], batch[1].ToFloats().ToArray());
        sent = protocols.Requests.Last();
        Assert.EndsWith("/v1beta/models/gemini-embedding-001:batchEmbedContents", sent.PathAndQuery);
        var requests = JsonDocument.Parse(sent.Body).RootElement.GetProperty("requests");
        Assert.Equal(2, requests.GetArrayLength());
        Assert.All(requests.EnumerateArray(), r => Assert.Equal(4, r.GetProperty("outputDimensionality").GetInt32()));
        Assert.Equal("How do I bake bread?", requests[1].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString());

        // Floats asked for as floats are copied as Google wrote them.
        using var http = factory.RelayClient(secret);
        var raw = await http.PostAsync("/v1/embeddings", RelayArrange.Json($$"""{"model":"{{model}}","input":"hi","encoding_format":"float"}"""));
        var rawJson = JsonDocument.Parse(await raw.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("-0.0096467", rawJson.GetProperty("data")[0].GetProperty("embedding")[0].GetRawText());
        Assert.Equal(model, rawJson.GetProperty("model").GetString());

        // Google reports no usage for embeddings: the portal counts the inputs and marks the records Estimated.
        await factory.SettleAsync();
        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(3, usage.Count);
        var counter = TokenCounter.Shared;
        long[] expected =
        [
            counter.CountText("What is the meaning of life?", TokenEncoding.O200kBase),
            counter.CountText("How does alphafold work?", TokenEncoding.O200kBase) + counter.CountText("How do I bake bread?", TokenEncoding.O200kBase),
            counter.CountText("hi", TokenEncoding.O200kBase),
        ];
        Assert.Equal(expected, usage.Select(u => u.InputTokens));
        Assert.Equal(expected[2], rawJson.GetProperty("usage").GetProperty("prompt_tokens").GetInt64());
        Assert.All(usage, u =>
        {
            Assert.Equal(UsageEndpoint.Embeddings, u.Endpoint);
            Assert.Equal(ChannelType.Gemini, u.ChannelType);
            Assert.True(u.Estimated);
            Assert.Equal(0, u.OutputTokens);
            Assert.Equal(Cost(u.InputTokens, 0, 0), u.CostMicroYuan);
        });
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Gemini_embeddings_refuse_token_ids_and_relay_googles_errors_charging_nothing()
    {
        var (tenantId, secret) = await FundedTenantAsync();
        var model = await GeminiEmbeddingModelAsync();
        var refusing = await GeminiEmbeddingModelAsync("badrequest");
        using var http = factory.RelayClient(secret);
        var sentBefore = protocols.Requests.Count;

        // Token ids cannot be expressed to Gemini: a 400 naming input, nothing sent.
        var tokens = await http.PostAsync("/v1/embeddings", RelayArrange.Json($$"""{"model":"{{model}}","input":[[9906,1917]]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, tokens.StatusCode);
        var error = JsonDocument.Parse(await tokens.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("input (token ids)", error.GetProperty("param").GetString());
        Assert.Equal(sentBefore, protocols.Requests.Count);

        // Google's own 400 reaches the client in OpenAI's shape, with Google's message.
        var refused = await http.PostAsync("/v1/embeddings", RelayArrange.Json($$"""{"model":"{{refusing}}","input":"hello"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var message = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("message").GetString();
        Assert.Contains("contents is not specified", message, StringComparison.Ordinal);

        await factory.SettleAsync();
        Assert.All(await factory.UsageAsync(tenantId), u => Assert.Equal(0, u.CostMicroYuan));
        Assert.Equal(Money.FromYuan(100).MicroYuan, (await factory.WalletRowAsync(tenantId)).BalanceMicroYuan);
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task A_gemini_simulator_serves_embeddings_in_geminis_wire_format_deterministically()
    {
        var (tenantId, secret) = await FundedTenantAsync();
        var model = await factory.ModelAsync(NewModelId("gsim"), ModelKind.Embedding, InputPrice, OutputPrice,
            new ChannelSpec("gsim", ChannelType.Simulator, SimulatorWireFamily: WireFamily.Gemini));
        using var http = factory.RelayClient(secret);

        async Task<JsonElement> EmbedAsync(string input)
        {
            var response = await http.PostAsync("/v1/embeddings", RelayArrange.Json($$"""{"model":"{{model}}","input":{{input}},"dimensions":16}"""));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        }

        static double[] Vector(JsonElement answer, int index) => answer.GetProperty("data")[index].GetProperty("embedding").EnumerateArray().Select(v => v.GetDouble()).ToArray();

        var one = await EmbedAsync("\"hello\"");
        var many = await EmbedAsync("[\"hello\",\"world\"]");
        var vector = Vector(one, 0);
        Assert.Equal(16, vector.Length);
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => v * v)), 4);
        Assert.Equal(2, many.GetProperty("data").GetArrayLength());
        Assert.Equal(vector, Vector(many, 0));
        Assert.NotEqual(vector, Vector(many, 1));

        await factory.SettleAsync();
        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(2, usage.Count);
        Assert.All(usage, u => Assert.True(u.Estimated && u.InputTokens > 0 && u.CostMicroYuan == Cost(u.InputTokens, 0, 0)));
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    /// <summary>The answer with the per-request id and timestamp blanked, so a checked-in answer can be compared.</summary>
    private static string Normalised(string json)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node["id"] = "ID";
        node["created"] = 0;
        return node.ToJsonString();
    }
}

public sealed class ProtocolRelayTestsOnPostgres(PostgresPortalFactory factory, FakeProtocolUpstream protocols, FakeOpenAiUpstream openAi)
    : ProtocolRelayTests<PostgresPortalFactory>(factory, protocols, openAi), IClassFixture<FakeProtocolUpstream>, IClassFixture<FakeOpenAiUpstream>;

public sealed class ProtocolRelayTestsOnSqlite(SqlitePortalFactory factory, FakeProtocolUpstream protocols, FakeOpenAiUpstream openAi)
    : ProtocolRelayTests<SqlitePortalFactory>(factory, protocols, openAi), IClassFixture<FakeProtocolUpstream>, IClassFixture<FakeOpenAiUpstream>;
