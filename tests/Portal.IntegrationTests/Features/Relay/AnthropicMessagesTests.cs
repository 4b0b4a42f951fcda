using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;
using Portal.Core.Common;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Usage;
using Portal.IntegrationTests.Infrastructure;
using Portal.Relay.Billing;

namespace Portal.IntegrationTests.Features.Relay;

/// <summary>
/// <c>/v1/messages</c> end to end: the official Anthropic .NET SDK (and the OpenAI SDK) against the running portal,
/// through an Anthropic-format simulator channel, a fake Anthropic upstream replaying Anthropic's documented answers,
/// and an OpenAI-compatible upstream (translation); charges are tokens × prices to the micro-yuan.
/// </summary>
public abstract class AnthropicMessagesTests<TFactory>(TFactory factory, FakeOpenAiUpstream openAi, FakeAnthropicUpstream anthropic) : IClassFixture<TFactory>
    where TFactory : PortalFactory
{
    private const long InputPrice = 3_000_000;       // ¥3 per 1M input tokens
    private const long OutputPrice = 15_000_000;     // ¥15 per 1M output tokens
    private const long CacheWritePrice = 3_750_000;  // ¥3.75 per 1M tokens written to the cache

    private static string NewModelId() => $"claude-t-{Guid.NewGuid():N}"[..18];

    private async Task<(Guid TenantId, string Secret)> FundedTenantAsync(long yuan = 100)
    {
        var (_, tenantId) = await factory.VerifiedTenantAsync();
        if (yuan > 0) Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(yuan))).IsSuccess);
        var (secret, _) = await factory.KeyAsync(tenantId);
        return (tenantId, secret);
    }

    private async Task<string> ModelAsync(params ChannelSpec[] channels)
    {
        var model = await factory.ModelAsync(NewModelId(), ModelKind.Chat, InputPrice, OutputPrice, channels);
        await using var db = await factory.DbAsync();
        await db.AiModels.Where(m => m.PublicId == model).ExecuteUpdateAsync(u => u.SetProperty(m => m.CacheWritePricePerMillionMicroYuan, CacheWritePrice));
        factory.Services.GetRequiredService<IRelayCache>().CatalogChanged();
        return model;
    }

    private static ModelPrices Prices => new(new Money(InputPrice), new Money(OutputPrice), new Money(InputPrice / 2), new Money(CacheWritePrice));

    private AnthropicClient Sdk(string secret) => new()
    {
        ApiKey = secret,
        BaseUrl = "http://localhost",
        HttpClient = factory.CreateClient(),
        MaxRetries = 0,
    };

    private OpenAIClient OpenAiSdk(string secret) => new(new ApiKeyCredential(secret), new OpenAIClientOptions
    {
        Endpoint = new Uri("http://localhost/v1"),
        Transport = new HttpClientPipelineTransport(factory.CreateClient()),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });

    private HttpClient Raw(string secret)
    {
        var http = factory.CreateClient();
        http.DefaultRequestHeaders.Add("x-api-key", secret);
        http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        return http;
    }

    private static MessageParam UserMessage(string text) => new(JsonDocument.Parse(JsonSerializer.Serialize(new { role = "user", content = text })).RootElement.Clone());

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Sdk_messages_stream_and_count_tokens_through_an_Anthropic_simulator_are_charged_tokens_times_price()
    {
        var (tenantId, secret) = await FundedTenantAsync();
        var model = await ModelAsync(new ChannelSpec("sim", ChannelType.Simulator, SimulatorWireFamily: WireFamily.Anthropic));
        var sdk = Sdk(secret);
        var parameters = new MessageCreateParams { MaxTokens = 200, Model = model, Messages = [UserMessage("Say hello")] };

        var message = await sdk.Messages.Create(parameters);
        var text = string.Concat(message.Content.Select(c => c.TryPickText(out var t) ? t.Text : ""));
        Assert.StartsWith("This is a simulated reply", text);
        Assert.True(message.Usage.InputTokens > 0 && message.Usage.OutputTokens > 0);

        var streamed = new StringBuilder();
        long? streamedOutput = null;
        await foreach (var e in sdk.Messages.CreateStreaming(parameters))
        {
            if (e.TryPickContentBlockDelta(out var delta) && delta.Delta.TryPickText(out var piece)) streamed.Append(piece.Text);
            if (e.TryPickDelta(out var end)) streamedOutput = end.Usage.OutputTokens;
        }

        Assert.Equal(text, streamed.ToString());
        Assert.Equal(message.Usage.OutputTokens, streamedOutput);

        var counted = await sdk.Messages.CountTokens(new MessageCountTokensParams { Model = model, Messages = [UserMessage("Say hello")] });
        Assert.Equal(message.Usage.InputTokens, counted.InputTokens);

        await factory.SettleAsync();
        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(2, usage.Count); // count_tokens is free and leaves no record
        Assert.All(usage, u =>
        {
            Assert.Equal(UsageEndpoint.Messages, u.Endpoint);
            Assert.Equal(ChannelType.Simulator, u.ChannelType);
            Assert.Equal(UsageStatus.Succeeded, u.Status);
            Assert.Equal(message.Usage.InputTokens, u.InputTokens);
            Assert.Equal(message.Usage.OutputTokens, u.OutputTokens);
            Assert.Equal(Pricing.Cost(u.InputTokens, 0, u.OutputTokens, Prices).MicroYuan, u.CostMicroYuan);
            Assert.False(u.Estimated);
        });
        Assert.Contains(usage, u => u.Stream);
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Tool_use_round_trip_through_the_simulator()
    {
        var (_, secret) = await FundedTenantAsync();
        var model = await ModelAsync(new ChannelSpec("sim", ChannelType.Simulator, SimulatorWireFamily: WireFamily.Anthropic));
        const string tools = """[{"name":"get_weather","description":"Weather of a city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}]""";
        using var http = Raw(secret);

        var first = await http.PostAsync("/v1/messages", Json("{\"model\":\"" + model + "\",\"max_tokens\":100,\"tools\":" + tools + ",\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Beijing?\"}]}"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var answer = JsonDocument.Parse(await first.Content.ReadAsStringAsync());
        Assert.Equal("tool_use", answer.RootElement.GetProperty("stop_reason").GetString());
        var call = answer.RootElement.GetProperty("content")[0];
        Assert.Equal("get_weather", call.GetProperty("name").GetString());
        Assert.Equal("simulated", call.GetProperty("input").GetProperty("city").GetString());
        var callId = call.GetProperty("id").GetString();

        // The tool's result goes back in a user turn; the simulator answers in text.
        // The tool's result goes back in a user turn, through the SDK; the simulator answers in text.
        var body = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(
            "{\"model\":\"" + model + "\",\"max_tokens\":100,\"tools\":" + tools + ",\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Beijing?\"},"
            + "{\"role\":\"assistant\",\"content\":[" + call.GetRawText() + "]},"
            + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"" + callId + "\",\"content\":\"晴，25 度\"}]}]}")!;
        var second = await Sdk(secret).Messages.Create(MessageCreateParams.FromRawUnchecked(new Dictionary<string, JsonElement>(), new Dictionary<string, JsonElement>(), body));
        Assert.Contains("模拟", string.Concat(second.Content.Select(c => c.TryPickText(out var t) ? t.Text : "")));
        Assert.Equal(0, second.Content.Count(c => c.TryPickToolUse(out _)));

        // Streamed, the call's arguments arrive as input_json_delta pieces that join into the same JSON.
        var stream = await http.PostAsync("/v1/messages", Json("{\"model\":\"" + model + "\",\"max_tokens\":100,\"stream\":true,\"tools\":" + tools + ",\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Beijing?\"}]}"));
        var events = await stream.Content.ReadAsStringAsync();
        Assert.Contains("\"type\":\"tool_use\"", events);
        var json = string.Concat(events.Split('\n').Where(l => l.Contains("input_json_delta")).Select(l => JsonDocument.Parse(l["data: ".Length..]).RootElement.GetProperty("delta").GetProperty("partial_json").GetString()));
        Assert.Equal("{\"city\":\"simulated\"}", json);
        Assert.Contains("\"stop_reason\":\"tool_use\"", events);
        Assert.EndsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", events);
    }

    [Fact]
    public async Task Pass_through_to_an_Anthropic_upstream_is_byte_for_byte_and_bills_cache_reads_and_writes()
    {
        var (tenantId, secret) = await FundedTenantAsync();
        var model = await ModelAsync(new ChannelSpec("ant", ChannelType.Anthropic, anthropic.BaseUrl("ok"), UpstreamModelId: "claude-sonnet-4-20250514"));
        using var http = Raw(secret);
        http.DefaultRequestHeaders.Add("anthropic-beta", "context-management-2025-06-27");
        // What Claude Code sends: system blocks with cache_control, thinking, context_management, tools without type.
        var request = "{\"model\":\"" + model + "\",\"max_tokens\":32000,\"system\":[{\"type\":\"text\",\"text\":\"You are Claude Code.\",\"cache_control\":{\"type\":\"ephemeral\"}}],"
            + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}],\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},"
            + "\"context_management\":{\"edits\":[]},\"tools\":[{\"name\":\"Bash\",\"description\":\"Run a command\",\"input_schema\":{\"type\":\"object\",\"properties\":{}}}],\"metadata\":{\"user_id\":\"u1\"}";

        var whole = await http.PostAsync("/v1/messages?beta=true", Json(request + "}"));
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(FakeAnthropicUpstream.MessageBody("claude-sonnet-4-20250514"), await whole.Content.ReadAsStringAsync());
        var sent = anthropic.Requests.Last();
        Assert.Equal(request.Replace(model, "claude-sonnet-4-20250514") + "}", sent.Body);
        Assert.Equal("context-management-2025-06-27", sent.Headers["anthropic-beta"]);

        var stream = await http.PostAsync("/v1/messages?beta=true", Json(request + ",\"stream\":true}"));
        Assert.Equal(string.Concat(FakeAnthropicUpstream.StreamEvents("claude-sonnet-4-20250514")), await stream.Content.ReadAsStringAsync());

        await factory.SettleAsync();
        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(2, usage.Count);
        var nonStream = usage.Single(u => !u.Stream);
        const long prompt = FakeAnthropicUpstream.InputTokens + FakeAnthropicUpstream.CacheReadTokens + FakeAnthropicUpstream.CacheWriteTokens;
        Assert.Equal(prompt, nonStream.InputTokens);
        Assert.Equal(FakeAnthropicUpstream.CacheReadTokens, nonStream.CachedInputTokens);
        Assert.Equal(FakeAnthropicUpstream.CacheWriteTokens, nonStream.CacheWriteInputTokens);
        Assert.Equal(CacheWritePrice, nonStream.CacheWritePricePerMillionMicroYuan);
        // 2095 × ¥3 + 1000 × ¥1.5 + 200 × ¥3.75 + 503 × ¥15 per 1M, rounded up once.
        Assert.Equal((2095 * InputPrice + 1000 * (InputPrice / 2) + 200 * CacheWritePrice + 503 * OutputPrice + 999_999) / 1_000_000, nonStream.CostMicroYuan);
        var streamed = usage.Single(u => u.Stream);
        Assert.Equal(FakeAnthropicUpstream.StreamInputTokens, streamed.InputTokens);
        Assert.Equal(FakeAnthropicUpstream.StreamOutputTokens, streamed.OutputTokens);
        Assert.All(usage, u => Assert.Equal(ChannelType.Anthropic, u.ChannelType));
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Anthropic_client_on_an_OpenAI_compatible_channel_gets_the_translated_answer()
    {
        var (tenantId, secret) = await FundedTenantAsync();
        var model = await ModelAsync(new ChannelSpec("oai", ChannelType.OpenAICompatible, openAi.BaseUrl("ok")));
        using var http = Raw(secret);
        var request = "{\"model\":\"" + model + "\",\"max_tokens\":50,\"system\":\"Be brief.\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]";

        var whole = await http.PostAsync("/v1/messages", Json(request + "}"));
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(ExpectedTranslatedMessage(model), await whole.Content.ReadAsStringAsync());
        var sent = openAi.Requests.Last();
        Assert.Equal("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":\"Say hello\"}],\"max_tokens\":50}", sent.Body);

        var stream = await http.PostAsync("/v1/messages", Json(request + ",\"stream\":true}"));
        Assert.Equal(ExpectedTranslatedStream(model), await stream.Content.ReadAsStringAsync());

        // A field the chat API cannot express is refused by name, in Anthropic's error shape.
        var topK = await http.PostAsync("/v1/messages", Json(request + ",\"top_k\":5}"));
        Assert.Equal(HttpStatusCode.BadRequest, topK.StatusCode);
        using var error = JsonDocument.Parse(await topK.Content.ReadAsStringAsync());
        Assert.Equal("error", error.RootElement.GetProperty("type").GetString());
        Assert.Equal("invalid_request_error", error.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains("top_k", error.RootElement.GetProperty("error").GetProperty("message").GetString());

        await factory.SettleAsync();
        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(3, usage.Count);
        Assert.All(usage.Where(u => u.Status == UsageStatus.Succeeded), u =>
        {
            Assert.Equal(ChannelType.OpenAICompatible, u.ChannelType);
            Assert.Equal(FakeOpenAiUpstream.PromptTokens, u.InputTokens);
            Assert.Equal(FakeOpenAiUpstream.CompletionTokens, u.OutputTokens);
            Assert.Equal(Pricing.Cost(FakeOpenAiUpstream.PromptTokens, 0, FakeOpenAiUpstream.CompletionTokens, Prices).MicroYuan, u.CostMicroYuan);
        });
        Assert.Equal(0, usage.Single(u => u.Status == UsageStatus.Failed).CostMicroYuan);
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    /// <summary>The fake OpenAI answer as an Anthropic client sees it (checked in: any change to the translation shows here).</summary>
    private static string ExpectedTranslatedMessage(string model) =>
        "{\"id\":\"msg_chatcmpl-fake1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model + "\",\"content\":[{\"type\":\"text\",\"text\":\"Hello from the fake upstream.\"}],"
        + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":21,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":9}}";

    private static string ExpectedTranslatedStream(string model) =>
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_chatcmpl-fake2\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model + "\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":0}}}\n\n"
        + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
        + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n"
        + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" from the fake upstream.\"}}\n\n"
        + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
        + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"input_tokens\":21,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0,\"output_tokens\":9}}\n\n"
        + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    [Fact]
    public async Task OpenAI_sdk_through_an_Anthropic_channel_chats_and_streams()
    {
        var (tenantId, secret) = await FundedTenantAsync();
        var model = await ModelAsync(new ChannelSpec("ant", ChannelType.Anthropic, anthropic.BaseUrl("ok")));
        var chat = OpenAiSdk(secret).GetChatClient(model);

        ChatCompletion completion = await chat.CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("Hi")]);
        Assert.Equal("Hi! My name is Claude.", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal((int)(FakeAnthropicUpstream.InputTokens + FakeAnthropicUpstream.CacheReadTokens + FakeAnthropicUpstream.CacheWriteTokens), completion.Usage.InputTokenCount);
        Assert.Equal((int)FakeAnthropicUpstream.CacheReadTokens, completion.Usage.InputTokenDetails.CachedTokenCount);
        // Anthropic requires max_tokens: the model's default was sent.
        var sent = anthropic.Requests.Last().Body;
        Assert.Contains("\"max_tokens\":1000", sent);
        Assert.Contains("\"system\":\"Be brief.\"", sent);

        var text = new StringBuilder();
        ChatTokenUsage? streamedUsage = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Hi")]))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            streamedUsage ??= update.Usage;
        }

        Assert.Equal("Hello!", text.ToString());
        Assert.Equal((int)FakeAnthropicUpstream.StreamOutputTokens, streamedUsage?.OutputTokenCount);

        await factory.SettleAsync();
        var usage = await factory.UsageAsync(tenantId);
        Assert.All(usage, u => Assert.Equal(UsageEndpoint.ChatCompletions, u.Endpoint));
        Assert.All(usage, u => Assert.Equal(ChannelType.Anthropic, u.ChannelType));
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task A_failing_Anthropic_channel_fails_over_to_an_OpenAI_compatible_one_before_the_first_byte()
    {
        var (tenantId, secret) = await FundedTenantAsync();
        var model = await ModelAsync(
            new ChannelSpec("ant-down", ChannelType.Anthropic, anthropic.BaseUrl("fail500"), Priority: 0),
            new ChannelSpec("oai", ChannelType.OpenAICompatible, openAi.BaseUrl("ok"), Priority: 1));
        using var http = Raw(secret);

        var response = await http.PostAsync("/v1/messages", Json("{\"model\":\"" + model + "\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ExpectedTranslatedMessage(model), await response.Content.ReadAsStringAsync());

        await factory.SettleAsync();
        var record = Assert.Single(await factory.UsageAsync(tenantId));
        Assert.Equal(ChannelType.OpenAICompatible, record.ChannelType);
        Assert.Equal(Pricing.Cost(FakeOpenAiUpstream.PromptTokens, 0, FakeOpenAiUpstream.CompletionTokens, Prices).MicroYuan, record.CostMicroYuan);
    }

    [Fact]
    public async Task An_upstream_that_breaks_off_mid_stream_ends_with_an_error_event_and_settles_what_was_generated()
    {
        var (tenantId, secret) = await FundedTenantAsync();
        var model = await ModelAsync(new ChannelSpec("ant-die", ChannelType.Anthropic, anthropic.BaseUrl("die")));
        using var http = Raw(secret);

        var response = await http.PostAsync("/v1/messages", Json("{\"model\":\"" + model + "\",\"max_tokens\":50,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}"));
        var body = await response.Content.ReadAsStringAsync();
        var events = FakeAnthropicUpstream.StreamEvents(model);
        Assert.True(body.StartsWith(events[0] + events[1] + events[2], StringComparison.Ordinal), body);
        Assert.Contains("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"api_error\"", body);

        await factory.SettleAsync();
        var record = Assert.Single(await factory.UsageAsync(tenantId));
        Assert.Equal(UsageStatus.UpstreamInterrupted, record.Status);
        Assert.Equal(FakeAnthropicUpstream.StreamInputTokens, record.InputTokens);
        Assert.Equal(Pricing.Cost(record.InputTokens, 0, record.OutputTokens, Prices).MicroYuan, record.CostMicroYuan);
        Assert.True(record.CostMicroYuan > 0);
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Bad_input_gets_Anthropic_errors_never_a_5xx()
    {
        var (_, secret) = await FundedTenantAsync();
        var model = await ModelAsync(new ChannelSpec("sim", ChannelType.Simulator, SimulatorWireFamily: WireFamily.Anthropic));
        using var http = Raw(secret);
        string[] bodies =
        [
            "not json", "[]", "{}", "{\"model\":\"" + model + "\"}", "{\"model\":\"" + model + "\",\"messages\":\"hi\"}",
            "{\"model\":\"" + model + "\",\"max_tokens\":-1,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "{\"model\":\"" + model + "\",\"max_tokens\":\"ten\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"system\",\"content\":\"hi\"}]}",
            "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\"}]}]}",
        ];
        foreach (var body in bodies)
        {
            var response = await http.PostAsync("/v1/messages", Json(body));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            await AssertAnthropicErrorAsync(response, "invalid_request_error");
        }

        var unknown = await http.PostAsync("/v1/messages", Json("{\"model\":\"no-such-model\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        await AssertAnthropicErrorAsync(unknown, "not_found_error");

        using var anonymous = factory.CreateClient();
        var noKey = await anonymous.PostAsync("/v1/messages", Json("{}"));
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        await AssertAnthropicErrorAsync(noKey, "authentication_error");

        // Authorization: Bearer works as well as x-api-key, and /v1/models answers in Anthropic's list shape.
        using var bearer = factory.RelayClient(secret);
        bearer.DefaultRequestHeaders.Add("anthropic-version", "2099-01-01");
        using var models = JsonDocument.Parse(await bearer.GetStringAsync("/v1/models"));
        Assert.False(models.RootElement.GetProperty("has_more").GetBoolean());
        Assert.Contains(models.RootElement.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == model && m.GetProperty("type").GetString() == "model");
    }

    [Fact]
    public async Task An_empty_balance_is_a_402_billing_error_and_charges_nothing()
    {
        var (tenantId, secret) = await FundedTenantAsync(yuan: 0);
        var model = await ModelAsync(new ChannelSpec("sim", ChannelType.Simulator, SimulatorWireFamily: WireFamily.Anthropic));
        using var http = Raw(secret);
        var response = await http.PostAsync("/v1/messages", Json("{\"model\":\"" + model + "\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        await AssertAnthropicErrorAsync(response, "billing_error");
        await factory.SettleAsync();
        Assert.Empty(await factory.UsageAsync(tenantId));
    }

    private static async Task AssertAnthropicErrorAsync(HttpResponseMessage response, string type)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("error", json.RootElement.GetProperty("type").GetString());
        Assert.Equal(type, json.RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("error").GetProperty("message").GetString()));
    }
}

public sealed class AnthropicMessagesTestsOnPostgres(PostgresPortalFactory factory, FakeOpenAiUpstream openAi, FakeAnthropicUpstream anthropic)
    : AnthropicMessagesTests<PostgresPortalFactory>(factory, openAi, anthropic), IClassFixture<FakeOpenAiUpstream>, IClassFixture<FakeAnthropicUpstream>;

public sealed class AnthropicMessagesTestsOnSqlite(SqlitePortalFactory factory, FakeOpenAiUpstream openAi, FakeAnthropicUpstream anthropic)
    : AnthropicMessagesTests<SqlitePortalFactory>(factory, openAi, anthropic), IClassFixture<FakeOpenAiUpstream>, IClassFixture<FakeAnthropicUpstream>;
