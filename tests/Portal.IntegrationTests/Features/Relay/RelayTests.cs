using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net;
using System.Text;
using System.Text.Json;
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

/// <summary>The /v1 relay end to end: the official OpenAI SDK as the client, a fake OpenAI server on a real socket as the upstream.</summary>
public abstract class RelayTests<TFactory>(TFactory factory, FakeOpenAiUpstream upstream) : IClassFixture<TFactory>
    where TFactory : PortalFactory
{
    private const long InputPrice = 2_500_000;   // ¥2.5 per 1M input tokens
    private const long OutputPrice = 10_000_000; // ¥10 per 1M output tokens

    private static readonly ModelPrices Prices = new(new Money(InputPrice), new Money(OutputPrice), new Money(InputPrice / 2));

    private static long FakeChatCost => Pricing.Cost(FakeOpenAiUpstream.PromptTokens, 0, FakeOpenAiUpstream.CompletionTokens, Prices).MicroYuan;

    private static string NewModelId(string stem = "gpt-t") => $"{stem}-{Guid.NewGuid():N}"[..(stem.Length + 9)];

    private async Task<(Guid TenantId, string Secret, Guid KeyId)> FundedTenantAsync(long yuan = 100, Action<Portal.Core.Features.ApiKeys.ApiKey>? key = null)
    {
        var (_, tenantId) = await factory.VerifiedTenantAsync();
        if (yuan > 0) Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(yuan))).IsSuccess);
        var (secret, keyId) = await factory.KeyAsync(tenantId, key);
        return (tenantId, secret, keyId);
    }

    private Task<string> OkModelAsync(string? upstreamModelId = null) =>
        factory.ModelAsync(NewModelId(), ModelKind.Chat, InputPrice, OutputPrice,
            new ChannelSpec("ok", ChannelType.OpenAICompatible, upstream.BaseUrl("ok"), UpstreamModelId: upstreamModelId ?? ""));

    private OpenAIClient Sdk(string secret) => new(new ApiKeyCredential(secret), new OpenAIClientOptions
    {
        Endpoint = new Uri("http://localhost/v1"),
        Transport = new HttpClientPipelineTransport(factory.CreateClient()),
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });

    [Fact]
    public async Task Sdk_chat_passes_through_byte_for_byte_and_charges_tokens_times_price()
    {
        var (tenantId, secret, keyId) = await FundedTenantAsync();
        var model = await OkModelAsync(upstreamModelId: "vendor-model-2026");

        ChatCompletion completion = await Sdk(secret).GetChatClient(model).CompleteChatAsync([new UserChatMessage("Say hello")], new ChatCompletionOptions { MaxOutputTokenCount = 50 });
        Assert.Equal("Hello from the fake upstream.", completion.Content[0].Text);
        Assert.Equal(FakeOpenAiUpstream.PromptTokens, completion.Usage.InputTokenCount);

        // Raw: the body the client gets is the upstream's body, byte for byte (unknown fields included).
        using var http = factory.RelayClient(secret);
        var response = await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 50)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeOpenAiUpstream.ChatBody("vendor-model-2026"), await response.Content.ReadAsStringAsync());
        Assert.StartsWith("req_", response.Headers.GetValues("x-request-id").Single());

        // The upstream saw the mapped model id, its own key and the client's unknown fields untouched.
        var sent = upstream.Requests.Last(r => r.Body.Contains("x_client_extension"));
        Assert.Equal("Bearer " + FakeOpenAiUpstream.UpstreamKey, sent.Authorization);
        Assert.Equal(RelayArrange.ChatRequest(model, maxTokens: 50).Replace(model, "vendor-model-2026"), sent.Body);

        await factory.SettleAsync();
        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(2, usage.Count);
        Assert.All(usage, u =>
        {
            Assert.Equal(UsageStatus.Succeeded, u.Status);
            Assert.Equal(FakeOpenAiUpstream.PromptTokens, u.InputTokens);
            Assert.Equal(FakeOpenAiUpstream.CompletionTokens, u.OutputTokens);
            Assert.Equal(FakeChatCost, u.CostMicroYuan);
            Assert.Equal(FakeChatCost, u.WalletChargedMicroYuan);
            Assert.Equal(InputPrice, u.InputPricePerMillionMicroYuan);
            Assert.False(u.Estimated);
            Assert.False(u.Stream);
            Assert.Equal(keyId, u.ApiKeyId);
            Assert.Equal(model, u.Model);
            Assert.True(u.HoldMicroYuan >= u.CostMicroYuan);
        });
        Assert.Contains(usage, u => u.RequestId == response.Headers.GetValues("x-request-id").Single());
        Assert.Equal(Money.FromYuan(100).MicroYuan - (2 * FakeChatCost), (await factory.WalletRowAsync(tenantId)).BalanceMicroYuan);
        await factory.AssertUsageInvariantAsync(tenantId);
        await factory.AssertReservedMatchesLeasesAsync(tenantId);
    }

    [Fact]
    public async Task Sdk_streaming_relays_every_event_and_forwards_usage_only_when_asked()
    {
        var (tenantId, secret, _) = await FundedTenantAsync();
        var model = await OkModelAsync();

        var text = new StringBuilder();
        ChatTokenUsage? sdkUsage = null;
        await foreach (var update in Sdk(secret).GetChatClient(model).CompleteChatStreamingAsync([new UserChatMessage("Say hello")]))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            sdkUsage ??= update.Usage;
        }

        Assert.Equal("Hello from the fake upstream.", text.ToString());
        Assert.Equal((int)FakeOpenAiUpstream.CompletionTokens, sdkUsage?.OutputTokenCount);

        using var http = factory.RelayClient(secret);
        // Without include_usage: the relay asked the upstream for usage, metered it, and kept the usage chunk to itself.
        var plain = await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, stream: true, maxTokens: 50)));
        Assert.Equal("text/event-stream", plain.Content.Headers.ContentType?.MediaType);
        var upstreamEvents = FakeOpenAiUpstream.ChatEvents(model, includeUsage: true);
        Assert.Equal(string.Concat(upstreamEvents.Where(e => !e.Contains("\"choices\":[]"))), await plain.Content.ReadAsStringAsync());
        Assert.Contains("\"stream_options\":{\"include_usage\":true}", upstream.Requests.Last().Body);

        // With include_usage: every event byte for byte, usage chunk and [DONE] included.
        var withUsage = await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, stream: true, maxTokens: 50, includeUsage: true)));
        Assert.Equal(string.Concat(upstreamEvents), await withUsage.Content.ReadAsStringAsync());
        Assert.True(withUsage.Headers.Contains("x-request-id"));

        await factory.SettleAsync();
        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(3, usage.Count);
        Assert.All(usage, u =>
        {
            Assert.True(u.Stream);
            Assert.Equal(UsageStatus.Succeeded, u.Status);
            Assert.Equal(FakeChatCost, u.CostMicroYuan);
            Assert.False(u.Estimated);
            Assert.NotNull(u.TimeToFirstTokenMs);
        });
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Sdk_embeddings_and_models_list_only_what_the_key_may_use()
    {
        var embeddingModel = await factory.ModelAsync(NewModelId("emb"), ModelKind.Embedding, 100_000, 0, new ChannelSpec("emb", ChannelType.OpenAICompatible, upstream.BaseUrl("ok")));
        var chatModel = await OkModelAsync();
        var hidden = await OkModelAsync();
        var (tenantId, secret, _) = await FundedTenantAsync(key: k => k.AllowedModels = [embeddingModel, chatModel]);
        var sdk = Sdk(secret);

        var embedding = (await sdk.GetEmbeddingClient(embeddingModel).GenerateEmbeddingAsync("hello")).Value;
        Assert.Equal([0.25f, -0.5f, 0.75f], embedding.ToFloats().ToArray());

        var models = (await sdk.GetOpenAIModelClient().GetModelsAsync()).Value.Select(m => m.Id).ToList();
        Assert.Contains(embeddingModel, models);
        Assert.Contains(chatModel, models);
        Assert.DoesNotContain(hidden, models);
        Assert.Equal(chatModel, (await sdk.GetOpenAIModelClient().GetModelAsync(chatModel)).Value.Id);

        await factory.SettleAsync();
        var record = Assert.Single(await factory.UsageAsync(tenantId));
        Assert.Equal(UsageEndpoint.Embeddings, record.Endpoint);
        Assert.Equal(FakeOpenAiUpstream.EmbeddingTokens, record.InputTokens);
        Assert.Equal(Pricing.Cost(FakeOpenAiUpstream.EmbeddingTokens, 0, 0, ModelPrices.WithoutCacheDiscount(new Money(100_000), Money.Zero)).MicroYuan, record.CostMicroYuan);
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Simulator_channel_answers_chat_streams_and_embeddings_with_usage()
    {
        var chat = await factory.ModelAsync(NewModelId("sim"), ModelKind.Chat, InputPrice, OutputPrice, new ChannelSpec("sim", ChannelType.Simulator));
        var embed = await factory.ModelAsync(NewModelId("simemb"), ModelKind.Embedding, 100_000, 0, new ChannelSpec("simemb", ChannelType.Simulator));
        var (tenantId, secret, _) = await FundedTenantAsync();
        var sdk = Sdk(secret);

        ChatCompletion completion = await sdk.GetChatClient(chat).CompleteChatAsync([new UserChatMessage("你好，请介绍一下自己")]);
        Assert.Contains("模拟", completion.Content[0].Text);
        var streamed = new StringBuilder();
        await foreach (var update in sdk.GetChatClient(chat).CompleteChatStreamingAsync([new UserChatMessage("你好，请介绍一下自己")]))
            foreach (var part in update.ContentUpdate) streamed.Append(part.Text);
        Assert.Equal(completion.Content[0].Text, streamed.ToString());
        var vector = (await sdk.GetEmbeddingClient(embed).GenerateEmbeddingAsync("hello")).Value.ToFloats();
        Assert.Equal(256, vector.Length);

        await factory.SettleAsync();
        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(3, usage.Count);
        Assert.All(usage, u => Assert.False(u.Estimated));
        foreach (var u in usage.Where(u => u.Endpoint == UsageEndpoint.ChatCompletions))
        {
            Assert.Equal(completion.Usage.InputTokenCount, u.InputTokens);
            Assert.Equal(completion.Usage.OutputTokenCount, u.OutputTokens);
            Assert.Equal(Pricing.Cost(u.InputTokens, 0, u.OutputTokens, Prices).MicroYuan, u.CostMicroYuan);
        }

        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Missing_malformed_unknown_and_revoked_keys_get_401_and_x_api_key_works()
    {
        var model = await OkModelAsync();
        var (tenantId, secret, keyId) = await FundedTenantAsync();
        var body = RelayArrange.ChatRequest(model, maxTokens: 20);

        await AssertErrorAsync(await factory.RelayClient(null).PostAsync("/v1/chat/completions", RelayArrange.Json(body)), 401, "invalid_request_error", "invalid_api_key");
        await AssertErrorAsync(await factory.RelayClient("sk-not-a-portal-key").PostAsync("/v1/chat/completions", RelayArrange.Json(body)), 401, "invalid_request_error", "invalid_api_key");
        await AssertErrorAsync(await factory.RelayClient(Portal.Relay.Keys.ApiKeyFormat.Generate()).PostAsync("/v1/chat/completions", RelayArrange.Json(body)), 401, "invalid_request_error", "invalid_api_key");

        using var viaHeader = factory.RelayClient(null);
        viaHeader.DefaultRequestHeaders.Add("x-api-key", secret);
        Assert.Equal(HttpStatusCode.OK, (await viaHeader.PostAsync("/v1/chat/completions", RelayArrange.Json(body))).StatusCode);

        // Revoked through the key use case's path: the relay is told and refuses at once.
        await factory.UpdateKeyAsync(keyId, k => k.Status = Portal.Core.Features.ApiKeys.ApiKeyStatus.Revoked);
        var revoked = await factory.RelayClient(secret).PostAsync("/v1/chat/completions", RelayArrange.Json(body));
        await AssertErrorAsync(revoked, 401, "invalid_request_error", "invalid_api_key");

        // Another replica's change (no notification here) is seen once the 5-second cache entry expires.
        var (other, otherId) = await factory.KeyAsync(tenantId);
        Assert.Equal(HttpStatusCode.OK, (await factory.RelayClient(other).PostAsync("/v1/chat/completions", RelayArrange.Json(body))).StatusCode);
        await factory.UpdateKeyAsync(otherId, k => k.ExpiresAt = factory.Clock.GetUtcNow().AddSeconds(1), notifyRelay: false);
        factory.Clock.Advance(TimeSpan.FromSeconds(5.1));
        await AssertErrorAsync(await factory.RelayClient(other).PostAsync("/v1/chat/completions", RelayArrange.Json(body)), 401, "invalid_request_error", "invalid_api_key");
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Model_outside_the_key_scope_and_address_outside_the_allowlist_get_403_unknown_model_404()
    {
        var allowed = await OkModelAsync();
        var other = await OkModelAsync();
        var (_, secret, _) = await FundedTenantAsync(key: k =>
        {
            k.AllowedModels = [allowed];
            k.AllowedIpRanges = ["203.0.113.0/24"];
        });

        var inside = factory.RelayClient(secret, "203.0.113.9");
        Assert.Equal(HttpStatusCode.OK, (await inside.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(allowed, maxTokens: 20)))).StatusCode);
        await AssertErrorAsync(await inside.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(other, maxTokens: 20))), 403, "invalid_request_error", "model_not_allowed");
        await AssertErrorAsync(await inside.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest("no-such-model", maxTokens: 20))), 404, "invalid_request_error", "model_not_found");
        await AssertErrorAsync(await factory.RelayClient(secret, "198.51.100.7").PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(allowed))), 403, "invalid_request_error", "ip_not_allowed");
        await AssertErrorAsync(await factory.RelayClient(secret).GetAsync("/v1/models"), 403, "invalid_request_error", "ip_not_allowed");
    }

    [Fact]
    public async Task X_Forwarded_For_is_ignored_when_no_proxy_is_configured()
    {
        var model = await OkModelAsync();
        var (tenantId, secret, _) = await FundedTenantAsync(key: k => k.AllowedIpRanges = ["203.0.113.0/24"]);

        // A client outside the allowlist claiming an address inside it, over a connection with an address and over one
        // without (what a Unix socket reports; there a forwarded-headers middleware would believe the first hop).
        foreach (var connectedFrom in new[] { "198.51.100.50", null })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 20)) };
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
            await AssertErrorAsync(await factory.RelayClient(secret, connectedFrom).SendAsync(request), 403, "invalid_request_error", "ip_not_allowed");
        }

        await factory.SettleAsync();
        Assert.Empty(await factory.UsageAsync(tenantId));
    }

    [Fact]
    public async Task Malformed_bodies_get_400_and_oversized_ones_413_without_reaching_the_upstream()
    {
        var model = await OkModelAsync();
        var (tenantId, secret, _) = await FundedTenantAsync();
        using var http = factory.RelayClient(secret);
        var before = upstream.Requests.Count;

        await AssertErrorAsync(await http.PostAsync("/v1/chat/completions", RelayArrange.Json("{\"model\":")), 400, "invalid_request_error", "invalid_json");
        await AssertErrorAsync(await http.PostAsync("/v1/chat/completions", RelayArrange.Json("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")), 400, "invalid_request_error", "missing_required_parameter", "model");
        await AssertErrorAsync(await http.PostAsync("/v1/chat/completions", RelayArrange.Json($"{{\"model\":\"{model}\"}}")), 400, "invalid_request_error", "missing_required_parameter", "messages");
        await AssertErrorAsync(await http.PostAsync("/v1/chat/completions", RelayArrange.Json($"{{\"model\":\"{model}\",\"messages\":\"hi\"}}")), 400, "invalid_request_error", "invalid_type", "messages");
        await AssertErrorAsync(await http.PostAsync("/v1/embeddings", RelayArrange.Json($"{{\"model\":\"{model}\",\"input\":42.5}}")), 400, "invalid_request_error", "invalid_type", "input");
        await AssertErrorAsync(await http.PostAsync("/v1/embeddings", RelayArrange.Json($"{{\"model\":\"{model}\",\"input\":\"hi\"}}")), 400, "invalid_request_error", "model_not_supported", "model");

        var huge = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('x', 9 * 1024 * 1024) + "\"}]}";
        await AssertErrorAsync(await http.PostAsync("/v1/chat/completions", RelayArrange.Json(huge)), 413, "invalid_request_error", "request_too_large");

        Assert.Equal(before, upstream.Requests.Count);
        await factory.SettleAsync();
        Assert.Empty(await factory.UsageAsync(tenantId));
    }

    [Fact]
    public async Task Requests_per_minute_limit_answers_429_with_retry_after_and_rate_headers()
    {
        var model = await OkModelAsync();
        var (tenantId, secret, _) = await FundedTenantAsync(key: k => k.RequestsPerMinute = 2);
        using var http = factory.RelayClient(secret);
        var body = RelayArrange.ChatRequest(model, maxTokens: 20);

        var first = await http.PostAsync("/v1/chat/completions", RelayArrange.Json(body));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("2", first.Headers.GetValues("x-ratelimit-limit-requests").Single());
        Assert.Equal("1", first.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayArrange.Json(body))).StatusCode);

        var limited = await http.PostAsync("/v1/chat/completions", RelayArrange.Json(body));
        await AssertErrorAsync(limited, 429, "requests", "rate_limit_exceeded");
        Assert.Equal("30", limited.Headers.GetValues("Retry-After").Single());
        Assert.Equal("0", limited.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        Assert.True(limited.Headers.Contains("x-ratelimit-reset-requests"));

        factory.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayArrange.Json(body))).StatusCode);
        await factory.SettleAsync();
        Assert.Equal(3, (await factory.UsageAsync(tenantId)).Count);
    }

    [Fact]
    public async Task A_balance_or_key_budget_that_cannot_cover_the_hold_gets_429_insufficient_quota()
    {
        var model = await OkModelAsync();
        var (poorTenant, poor, _) = await FundedTenantAsync(yuan: 0);
        await AssertErrorAsync(await factory.RelayClient(poor).PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 20))), 429, "insufficient_quota", "insufficient_quota");

        // ¥0.001 covers a 20-token hold but not the default 1,000-token hold of a request without max_tokens.
        Assert.True((await factory.AdjustAsync(poorTenant, new Money(1_000))).IsSuccess);
        Assert.Equal(HttpStatusCode.OK, (await factory.RelayClient(poor).PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 20)))).StatusCode);
        await AssertErrorAsync(await factory.RelayClient(poor).PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model))), 429, "insufficient_quota", "insufficient_quota");

        var (budgetTenant, budgeted, _) = await FundedTenantAsync(key: k => k.MonthlyBudgetMicroYuan = 300);
        Assert.Equal(HttpStatusCode.OK, (await factory.RelayClient(budgeted).PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 2)))).StatusCode);
        await factory.SettleAsync();
        var budgetError = await factory.RelayClient(budgeted).PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 20)));
        await AssertErrorAsync(budgetError, 429, "insufficient_quota", "insufficient_quota");
        Assert.Contains("spending limit", await budgetError.Content.ReadAsStringAsync());

        await factory.AssertUsageInvariantAsync(poorTenant);
        await factory.AssertUsageInvariantAsync(budgetTenant);
        await factory.AssertReservedMatchesLeasesAsync(poorTenant);
    }

    [Fact]
    public async Task A_revoked_verification_stops_the_tenants_keys()
    {
        var model = await OkModelAsync();
        var (tenantId, secret, _) = await FundedTenantAsync();
        using var http = factory.RelayClient(secret);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 20)))).StatusCode);

        await using (var scope = await factory.OperatorScopeAsync())
        {
            await using var db = await factory.DbAsync();
            var submissionId = Portal.Core.Data.TenantFilter.IgnoreTenantFilter(db.KycSubmissions).Single(s => s.TenantId == tenantId && s.Status == Portal.Core.Features.Kyc.KycStatus.Approved).Id;
            var revoked = await scope.ServiceProvider.GetRequiredService<Portal.Core.Features.Kyc.RevokeKyc.Handler>().HandleAsync(new(submissionId, "营业执照已注销"));
            Assert.True(revoked.IsSuccess);
        }

        await AssertErrorAsync(await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 20))), 403, "invalid_request_error", "account_verification_revoked");
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task A_failing_first_channel_fails_over_to_the_next_and_charges_once()
    {
        var model = await factory.ModelAsync(NewModelId(), ModelKind.Chat, InputPrice, OutputPrice,
            new ChannelSpec("primary", ChannelType.OpenAICompatible, upstream.BaseUrl("fail500"), Priority: 0),
            new ChannelSpec("backup", ChannelType.OpenAICompatible, upstream.BaseUrl("ok"), Priority: 1));
        var (tenantId, secret, _) = await FundedTenantAsync();
        var failedBefore = upstream.Hits.GetValueOrDefault("fail500");

        var response = await factory.RelayClient(secret).PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 20)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(FakeOpenAiUpstream.ChatBody(model), await response.Content.ReadAsStringAsync());
        Assert.Equal(failedBefore + 1, upstream.Hits["fail500"]);

        await factory.SettleAsync();
        var record = Assert.Single(await factory.UsageAsync(tenantId));
        Assert.Equal(FakeChatCost, record.CostMicroYuan);
        Assert.Equal(Money.FromYuan(100).MicroYuan - FakeChatCost, (await factory.WalletRowAsync(tenantId)).BalanceMicroYuan);
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task An_upstream_dying_after_the_first_byte_ends_the_stream_with_an_error_event_and_charges_what_was_generated()
    {
        var model = await factory.ModelAsync(NewModelId(), ModelKind.Chat, InputPrice, OutputPrice,
            new ChannelSpec("dies", ChannelType.OpenAICompatible, upstream.BaseUrl("die"), Priority: 0),
            new ChannelSpec("never-tried", ChannelType.OpenAICompatible, upstream.BaseUrl("ok"), Priority: 1));
        var (tenantId, secret, _) = await FundedTenantAsync();
        var okBefore = upstream.Hits.GetValueOrDefault("ok");

        var response = await factory.RelayClient(secret).PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, stream: true, maxTokens: 50)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.True(events.Length == 3, text);
        Assert.Contains("\"content\":\"Hello\"", events[1]);
        var error = JsonDocument.Parse(events[2]["data: ".Length..]).RootElement.GetProperty("error");
        Assert.Equal("upstream_interrupted", error.GetProperty("code").GetString());
        Assert.DoesNotContain("[DONE]", text);
        Assert.Equal(okBefore, upstream.Hits.GetValueOrDefault("ok")); // never retried after the first byte

        await factory.SettleAsync();
        var record = Assert.Single(await factory.UsageAsync(tenantId));
        Assert.Equal(UsageStatus.UpstreamInterrupted, record.Status);
        Assert.True(record.Estimated);
        Assert.Equal(1, record.OutputTokens); // "Hello"
        Assert.True(record.InputTokens > 0);
        Assert.Equal(Pricing.Cost(record.InputTokens, 0, 1, Prices).MicroYuan, record.CostMicroYuan);
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task All_channels_down_answer_502_timeouts_504_open_circuits_503_and_nothing_is_charged()
    {
        var (tenantId, secret, _) = await FundedTenantAsync();
        using var http = factory.RelayClient(secret);
        var down = await factory.ModelAsync(NewModelId(), ModelKind.Chat, InputPrice, OutputPrice,
            new ChannelSpec("a", ChannelType.OpenAICompatible, upstream.BaseUrl("fail500")),
            new ChannelSpec("b", ChannelType.OpenAICompatible, upstream.BaseUrl("fail500"), Priority: 1));
        await AssertErrorAsync(await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(down, maxTokens: 20))), 502, "server_error", "upstream_error");

        var slow = await factory.ModelAsync(NewModelId(), ModelKind.Chat, InputPrice, OutputPrice,
            new ChannelSpec("slow", ChannelType.OpenAICompatible, upstream.BaseUrl("hang"), FirstByteTimeoutMs: 300));
        await AssertErrorAsync(await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(slow, maxTokens: 20))), 504, "server_error", "upstream_timeout");

        var unrouted = await factory.ModelAsync(NewModelId(), ModelKind.Chat, InputPrice, OutputPrice);
        await AssertErrorAsync(await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(unrouted, maxTokens: 20))), 503, "server_error", "upstream_unavailable");

        await factory.SettleAsync();
        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(2, usage.Count);
        Assert.All(usage, u =>
        {
            Assert.Equal(UsageStatus.Failed, u.Status);
            Assert.Equal(0, u.CostMicroYuan);
        });
        Assert.Equal(Money.FromYuan(100).MicroYuan, (await factory.WalletRowAsync(tenantId)).BalanceMicroYuan);
        await factory.AssertUsageInvariantAsync(tenantId);
        await factory.AssertReservedMatchesLeasesAsync(tenantId);
    }

    [Fact]
    public async Task A_channel_that_keeps_failing_opens_its_circuit_then_a_half_open_probe_closes_it()
    {
        var (tenantId, secret, _) = await FundedTenantAsync();
        using var http = factory.RelayClient(secret);
        var model = await factory.ModelAsync(NewModelId(), ModelKind.Chat, InputPrice, OutputPrice, new ChannelSpec("flaky", ChannelType.OpenAICompatible, upstream.BaseUrl("fail500")));
        for (var i = 0; i < 5; i++)
            await AssertErrorAsync(await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 20))), 502, "server_error", "upstream_error");

        var hits = upstream.Hits["fail500"];
        await AssertErrorAsync(await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 20))), 503, "server_error", "upstream_unavailable");
        Assert.Equal(hits, upstream.Hits["fail500"]); // open: the upstream is not called

        var health = factory.Services.GetRequiredService<IChannelHealth>().Snapshot();
        Assert.Contains(health, h => h.Circuit == CircuitState.Open && h.LastError == "HTTP 500");

        // The upstream recovers (the operator fixes the channel); after the break the next request is the probe.
        await using (var db = await factory.DbAsync())
        {
            var channel = db.ChannelModels.Single(m => m.PublicModelId == model).ChannelId;
            await db.Channels.Where(c => c.Id == channel).ExecuteUpdateAsync(s => s.SetProperty(c => c.BaseUrl, upstream.BaseUrl("ok")));
        }

        factory.Services.GetRequiredService<IRelayCache>().CatalogChanged();
        await AssertErrorAsync(await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 20))), 503, "server_error", "upstream_unavailable");
        factory.Clock.Advance(TimeSpan.FromSeconds(16));
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 20)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 20)))).StatusCode);
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task An_upstream_400_reaches_the_client_unchanged_and_is_not_charged()
    {
        var model = await factory.ModelAsync(NewModelId(), ModelKind.Chat, InputPrice, OutputPrice, new ChannelSpec("picky", ChannelType.OpenAICompatible, upstream.BaseUrl("badrequest")));
        var (tenantId, secret, _) = await FundedTenantAsync();
        var response = await factory.RelayClient(secret).PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 20)));
        await AssertErrorAsync(response, 400, "invalid_request_error", "invalid_value", "temperature");
        await factory.SettleAsync();
        Assert.Equal(0, Assert.Single(await factory.UsageAsync(tenantId)).CostMicroYuan);
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Without_upstream_usage_the_tokenizer_counts_and_the_record_is_estimated()
    {
        var model = await factory.ModelAsync(NewModelId(), ModelKind.Chat, InputPrice, OutputPrice, new ChannelSpec("quiet", ChannelType.OpenAICompatible, upstream.BaseUrl("nousage")));
        var (tenantId, secret, _) = await FundedTenantAsync();
        using var http = factory.RelayClient(secret);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 50)))).StatusCode);
        var streamed = await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, stream: true, maxTokens: 50)));
        Assert.EndsWith("data: [DONE]\n\n", await streamed.Content.ReadAsStringAsync());

        await factory.SettleAsync();
        var usage = await factory.UsageAsync(tenantId);
        Assert.Equal(2, usage.Count);
        var counter = Portal.Relay.Tokens.TokenCounter.Shared;
        var completionTokens = counter.CountText("Hello from the fake upstream.", Portal.Relay.Tokens.TokenEncoding.O200kBase);
        var promptTokens = counter.CountChatPrompt(Encoding.UTF8.GetBytes(RelayArrange.ChatRequest(model, maxTokens: 50)), Portal.Relay.Tokens.TokenEncoding.O200kBase);
        Assert.All(usage, u =>
        {
            Assert.True(u.Estimated);
            Assert.Equal(completionTokens, u.OutputTokens);
            Assert.Equal(promptTokens, u.InputTokens);
            Assert.Equal(Pricing.Cost(promptTokens, 0, completionTokens, Prices).MicroYuan, u.CostMicroYuan);
        });
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task A_client_leaving_mid_stream_cancels_the_upstream_and_pays_for_what_was_generated()
    {
        var model = await factory.ModelAsync(NewModelId("slow"), ModelKind.Chat, InputPrice, OutputPrice, new ChannelSpec("slowsim", ChannelType.Simulator));
        await using (var db = await factory.DbAsync())
        {
            var channel = db.ChannelModels.Single(m => m.PublicModelId == model).ChannelId;
            await db.Channels.Where(c => c.Id == channel).ExecuteUpdateAsync(s => s.SetProperty(c => c.SimulatorTokensPerSecond, 20));
        }

        factory.Services.GetRequiredService<IRelayCache>().CatalogChanged();
        var (tenantId, secret, _) = await FundedTenantAsync();
        using var http = factory.RelayClient(secret);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = RelayArrange.Json(RelayArrange.ChatRequest(model, stream: true, maxTokens: 200)) };
        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            var reader = new StreamReader(body);
            var dataLines = 0;
            while (dataLines < 4 && await reader.ReadLineAsync() is { } line)
                if (line.StartsWith("data: ", StringComparison.Ordinal)) dataLines++;
        }

        await WaitForAsync(async () => (await factory.UsageAsync(tenantId)).Count == 1);
        var record = Assert.Single(await factory.UsageAsync(tenantId));
        Assert.Equal(UsageStatus.ClientCancelled, record.Status);
        Assert.True(record.Estimated);
        Assert.InRange(record.OutputTokens, 1, 60);
        Assert.Equal(Pricing.Cost(record.InputTokens, 0, record.OutputTokens, Prices).MicroYuan, record.CostMicroYuan);
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Billing_endpoints_report_balance_and_usage_in_yuan_and_fen()
    {
        var model = await OkModelAsync();
        var (tenantId, secret, _) = await FundedTenantAsync(yuan: 50);
        using var http = factory.RelayClient(secret);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayArrange.Json(RelayArrange.ChatRequest(model, maxTokens: 20)))).StatusCode);
        await factory.SettleAsync();

        var subscription = JsonDocument.Parse(await http.GetStringAsync("/v1/dashboard/billing/subscription")).RootElement;
        Assert.Equal("billing_subscription", subscription.GetProperty("object").GetString());
        // Spendable now (¥50 − cost) + spent this month (cost): clients show hard_limit − usage = what is left.
        Assert.Equal(50m, subscription.GetProperty("hard_limit_usd").GetDecimal());
        Assert.Equal("CNY", subscription.GetProperty("currency").GetString());

        var today = Portal.Core.Common.ChinaTime.Today(factory.Clock);
        var usage = JsonDocument.Parse(await http.GetStringAsync($"/v1/dashboard/billing/usage?start_date={today:yyyy-MM-dd}&end_date={today.AddDays(1):yyyy-MM-dd}")).RootElement;
        Assert.Equal(FakeChatCost / 10_000m, usage.GetProperty("total_usage").GetDecimal());
        var line = Assert.Single(Assert.Single(usage.GetProperty("daily_costs").EnumerateArray()).GetProperty("line_items").EnumerateArray());
        Assert.Equal(model, line.GetProperty("name").GetString());

        await AssertErrorAsync(await http.GetAsync("/v1/dashboard/billing/usage?start_date=2026-01-01"), 400, "invalid_request_error", "invalid_value", "start_date");
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Money_held_for_a_pending_refund_lowers_the_billing_hard_limit()
    {
        var (owner, tenantId) = await factory.VerifiedTenantAsync("退款额度科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(50))).IsSuccess);
        var (secret, _) = await factory.KeyAsync(tenantId);
        using var http = factory.RelayClient(secret);
        async Task<decimal> HardLimitAsync() =>
            JsonDocument.Parse(await http.GetStringAsync("/v1/dashboard/billing/subscription")).RootElement.GetProperty("hard_limit_usd").GetDecimal();
        Assert.Equal(50m, await HardLimitAsync());

        var refund = await owner.RequestRefundAsync("20.00");
        Assert.Equal(30m, await HardLimitAsync());

        Assert.True((await factory.RejectRefundAsync(refund.Id, "测试驳回")).IsSuccess);
        Assert.Equal(50m, await HardLimitAsync());
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, int status, string type, string code, string? param = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.True(response.Headers.Contains("x-request-id"), "x-request-id missing");
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        if (param is not null) Assert.Equal(param, error.GetProperty("param").GetString());
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await condition()) return;
            await Task.Delay(50);
        }

        Assert.Fail("The condition never became true.");
    }
}

public sealed class RelayTestsOnPostgres(PostgresPortalFactory factory, FakeOpenAiUpstream upstream) : RelayTests<PostgresPortalFactory>(factory, upstream), IClassFixture<FakeOpenAiUpstream>;

public sealed class RelayTestsOnSqlite(SqlitePortalFactory factory, FakeOpenAiUpstream upstream) : RelayTests<SqlitePortalFactory>(factory, upstream), IClassFixture<FakeOpenAiUpstream>;
