using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Features.Catalog;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Service;

public abstract class TokenizeTests<TFactory>(TFactory factory, FakeOpenAiUpstream upstream) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    private static string NewModelId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..18];

    private async Task UseTokenizerAsync(string model, ModelTokenizer tokenizer)
    {
        await using var scope = factory.Scope();
        await using var db = await factory.DbAsync();
        await db.AiModels.Where(m => m.PublicId == model).ExecuteUpdateAsync(s => s.SetProperty(m => m.Tokenizer, tokenizer));
        scope.ServiceProvider.GetRequiredService<IRelayCache>().CatalogChanged();
    }

    private async Task<(Guid TenantId, string Secret)> TenantAsync()
    {
        var (_, tenantId) = await factory.VerifiedTenantAsync("令牌计算科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(100))).IsSuccess);
        return (tenantId, (await factory.KeyAsync(tenantId)).Secret);
    }

    private static async Task<JsonElement> TokenizeAsync(HttpClient http, string body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await http.PostAsync("/v1/tokenize", RelayArrange.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Theory]
    [InlineData(ModelTokenizer.O200kBase)]
    [InlineData(ModelTokenizer.Cl100kBase)]
    public async Task Counts_equal_what_the_relay_meters_for_the_same_request_on_every_tokenizer(ModelTokenizer tokenizer)
    {
        // The upstream reports no usage, so the relay meters the prompt with the model's tokenizer (record marked estimated).
        var chat = await factory.ModelAsync(NewModelId("tok-chat"), ModelKind.Chat, 2_500_000, 10_000_000, new ChannelSpec("quiet", ChannelType.OpenAICompatible, upstream.BaseUrl("nousage")));
        var embedding = await factory.ModelAsync(NewModelId("tok-emb"), ModelKind.Embedding, 130_000, 0, new ChannelSpec("sim", ChannelType.Simulator));
        await UseTokenizerAsync(chat, tokenizer);
        await UseTokenizerAsync(embedding, tokenizer);
        var (tenantId, secret) = await TenantAsync();
        using var http = factory.RelayClient(secret);

        var chatBody = "{\"model\":\"" + chat + "\",\"max_tokens\":50,\"messages\":[{\"role\":\"system\",\"content\":\"你是一个乐于助人的助手。\"},"
                       + "{\"role\":\"user\",\"name\":\"张三\",\"content\":[{\"type\":\"text\",\"text\":\"请把这段话翻译成英文：今天天气很好 🌤️ naïve café\"}]}],"
                       + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}]}";
        var embeddingBody = "{\"model\":\"" + embedding + "\",\"input\":[\"向量化这段文字\",\"and this one, too\"]}";
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/chat/completions", RelayArrange.Json(chatBody))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/embeddings", RelayArrange.Json(embeddingBody))).StatusCode);
        await factory.SettleAsync();
        var usage = await factory.UsageAsync(tenantId);
        var chatRecord = usage.Single(u => u.Model == chat);
        var embeddingRecord = usage.Single(u => u.Model == embedding);
        Assert.True(chatRecord.Estimated);

        var counted = await TokenizeAsync(http, chatBody);
        Assert.Equal(tokenizer == ModelTokenizer.Cl100kBase ? "cl100k_base" : "o200k_base", counted.GetProperty("tokenizer").GetString());
        Assert.Equal(chatRecord.InputTokens, counted.GetProperty("input_tokens").GetInt64());
        Assert.Equal(50, counted.GetProperty("max_output_tokens").GetInt32());
        // The estimate for the prompt plus max_tokens is exactly what the relay held for the request.
        Assert.Equal(chatRecord.HoldMicroYuan, counted.GetProperty("estimated_cost").GetProperty("total_micro_yuan").GetInt64());

        var embedded = await TokenizeAsync(http, embeddingBody);
        Assert.Equal(embeddingRecord.HoldMicroYuan, embedded.GetProperty("estimated_cost").GetProperty("total_micro_yuan").GetInt64());
        Assert.True(embedded.GetProperty("input_tokens").GetInt64() > 0);

        // Free: counting wrote no usage and moved no money.
        await factory.SettleAsync();
        Assert.Equal(2, (await factory.UsageAsync(tenantId)).Count);
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task The_estimate_shows_the_plan_credit_it_would_use_first()
    {
        var chat = await factory.ModelAsync(NewModelId("tok-plan"), ModelKind.Chat, 1_000_000, 4_000_000, new ChannelSpec("sim", ChannelType.Simulator));
        var (tenantId, secret) = await TenantAsync();
        using var http = factory.RelayClient(secret);
        // 1,000 output tokens at ¥4 per 1M = ¥0.004 plus the prompt; only ¥0.001 of plan credit is left.
        await factory.GrantPlanCreditAsync(tenantId, new Money(1_000));
        var estimate = await TokenizeAsync(http, RelayArrange.ChatRequest(chat, maxTokens: 1_000));
        var total = estimate.GetProperty("estimated_cost").GetProperty("total_micro_yuan").GetInt64();
        Assert.Equal("0.004000", estimate.GetProperty("estimated_cost").GetProperty("output").GetString());
        Assert.Equal(("0.001000", "0.001000"), (estimate.GetProperty("plan_credit").GetProperty("available").GetString(), estimate.GetProperty("plan_credit").GetProperty("would_use").GetString()));
        Assert.Equal(((total - 1_000) / 1_000_000m).ToString("0.000000", System.Globalization.CultureInfo.InvariantCulture), estimate.GetProperty("wallet_would_pay").GetString());
    }

    [Fact]
    public async Task Bad_calls_get_openai_errors_and_the_endpoint_is_rate_limited_per_key()
    {
        var chat = await factory.ModelAsync(NewModelId("tok-err"), ModelKind.Chat, 1_000_000, 4_000_000, new ChannelSpec("sim", ChannelType.Simulator));
        var (_, secret) = await TenantAsync();
        using var anonymous = factory.RelayClient(null);
        Assert.Equal("invalid_api_key", (await TokenizeAsync(anonymous, RelayArrange.ChatRequest(chat), HttpStatusCode.Unauthorized)).GetProperty("error").GetProperty("code").GetString());
        using var http = factory.RelayClient(secret);
        Assert.Equal("model_not_found", (await TokenizeAsync(http, RelayArrange.ChatRequest("no-such-model"), HttpStatusCode.NotFound)).GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("missing_required_parameter", (await TokenizeAsync(http, "{\"messages\":[]}", HttpStatusCode.BadRequest)).GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", (await TokenizeAsync(http, "{\"model\":\"" + chat + "\",\"messages\":\"not a list\"}", HttpStatusCode.BadRequest)).GetProperty("error").GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/v1/tokenize", RelayArrange.Json("{not json"))).StatusCode);

        // 60 a minute per key by default (the calls above count too); the next one is refused with Retry-After.
        HttpResponseMessage last;
        var calls = 4;
        do
        {
            last = await http.PostAsync("/v1/tokenize", RelayArrange.Json(RelayArrange.ChatRequest(chat)));
            calls++;
        }
        while (last.StatusCode == HttpStatusCode.OK && calls < 100);
        Assert.Equal((HttpStatusCode.TooManyRequests, 61), (last.StatusCode, calls));
        Assert.True(last.Headers.Contains("Retry-After"));
        factory.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/v1/tokenize", RelayArrange.Json(RelayArrange.ChatRequest(chat)))).StatusCode);
    }
}

public sealed class TokenizeTestsOnPostgres(PostgresPortalFactory factory, FakeOpenAiUpstream upstream)
    : TokenizeTests<PostgresPortalFactory>(factory, upstream), IClassFixture<FakeOpenAiUpstream>;

public sealed class TokenizeTestsOnSqlite(SqlitePortalFactory factory, FakeOpenAiUpstream upstream)
    : TokenizeTests<SqlitePortalFactory>(factory, upstream), IClassFixture<FakeOpenAiUpstream>;
