using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Features.Catalog;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Relay;

/// <summary>
/// A model's tools, vision and JSON-mode flags hold on every surface — chat completions passed through unchanged
/// included — before anything is held or forwarded: a 400 in the surface's own error shape that names the feature,
/// nothing charged; the same request without the feature goes through.
/// </summary>
public abstract class ModelFeatureFlagTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : PortalFactory
{
    private const string Tools = """[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]""";
    private const string Image = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    /// <summary>A chat model on one simulator channel of <paramref name="family"/> with the given flags.</summary>
    private async Task<string> ModelAsync(WireFamily family, bool tools = true, bool vision = true, bool json = true)
    {
        var model = await factory.ModelAsync($"flags-{Guid.NewGuid():N}"[..14], ModelKind.Chat, 1_000_000, 2_000_000,
            new ChannelSpec("flags", ChannelType.Simulator, SimulatorWireFamily: family));
        await using var db = await factory.DbAsync();
        await db.AiModels.Where(m => m.PublicId == model).ExecuteUpdateAsync(u => u
            .SetProperty(m => m.SupportsTools, tools)
            .SetProperty(m => m.SupportsVision, vision)
            .SetProperty(m => m.SupportsJsonMode, json));
        factory.Services.GetRequiredService<IRelayCache>().CatalogChanged();
        return model;
    }

    private async Task<(Guid TenantId, HttpClient Http)> TenantAsync()
    {
        var (_, tenantId) = await factory.VerifiedTenantAsync();
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(10))).IsSuccess);
        var (secret, _) = await factory.KeyAsync(tenantId);
        var http = factory.RelayClient(secret);
        http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        return (tenantId, http);
    }

    private static async Task<JsonElement> RefusedAsync(HttpClient http, string path, string body)
    {
        var response = await http.PostAsync(path, RelayArrange.Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private static void AssertOpenAiRefusal(JsonElement answer, string model, string feature)
    {
        var error = answer.GetProperty("error");
        Assert.Equal("model_not_supported", error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal($"The model `{model}` does not support {feature}.", error.GetProperty("message").GetString());
    }

    private static void AssertAnthropicRefusal(JsonElement answer, string model, string feature)
    {
        Assert.Equal("error", answer.GetProperty("type").GetString());
        Assert.Equal("invalid_request_error", answer.GetProperty("error").GetProperty("type").GetString());
        Assert.Equal($"The model `{model}` does not support {feature}.", answer.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Pass_through_chat_completions_are_refused_a_feature_the_model_lacks()
    {
        var (tenantId, http) = await TenantAsync();
        var noTools = await ModelAsync(WireFamily.OpenAI, tools: false);
        var noVision = await ModelAsync(WireFamily.OpenAI, vision: false);
        var noJson = await ModelAsync(WireFamily.OpenAI, json: false);
        const string path = "/v1/chat/completions";
        static string Chat(string model, string extra = "", string content = "\"hello\"") =>
            $$"""{"model":"{{model}}","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":{{content}}}]{{extra}}}""";

        AssertOpenAiRefusal(await RefusedAsync(http, path, Chat(noTools, ",\"tools\":" + Tools)), noTools, "tools");
        AssertOpenAiRefusal(await RefusedAsync(http, path, Chat(noTools, ",\"functions\":[{\"name\":\"f\",\"parameters\":{}}]")), noTools, "tools");
        AssertOpenAiRefusal(await RefusedAsync(http, path, Chat(noVision, content: $$$"""[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"{{{Image}}}"}}]""")), noVision, "images");
        AssertOpenAiRefusal(await RefusedAsync(http, path, Chat(noJson, ",\"response_format\":{\"type\":\"json_object\"}")), noJson, "JSON mode");
        AssertOpenAiRefusal(await RefusedAsync(http, path, Chat(noJson, ",\"stream\":true,\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{}}}")), noJson, "JSON mode");

        // Without the feature (an empty tools list, text parts, text format) the same models answer.
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync(path, RelayArrange.Json(Chat(noTools, ",\"tools\":[]")))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync(path, RelayArrange.Json(Chat(noVision, content: """[{"type":"text","text":"hi"}]""")))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync(path, RelayArrange.Json(Chat(noJson, ",\"response_format\":{\"type\":\"text\"}")))).StatusCode);

        await factory.SettleAsync();
        Assert.Equal(3, (await factory.UsageAsync(tenantId)).Count);
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Messages_and_responses_are_refused_in_their_own_shapes_passed_through_or_translated()
    {
        var (tenantId, http) = await TenantAsync();
        foreach (var family in new[] { WireFamily.Anthropic, WireFamily.OpenAI, WireFamily.Gemini })
        {
            var noTools = await ModelAsync(family, tools: false);
            var noVision = await ModelAsync(family, vision: false);
            var noJson = await ModelAsync(family, json: false);

            // /v1/messages (Anthropic's shape): pass-through on the Anthropic simulator, translated on the others.
            const string anthropicTool = """[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}]""";
            AssertAnthropicRefusal(await RefusedAsync(http, "/v1/messages",
                $$"""{"model":"{{noTools}}","max_tokens":64,"tools":{{anthropicTool}},"messages":[{"role":"user","content":"hi"}]}"""), noTools, "tools");
            AssertAnthropicRefusal(await RefusedAsync(http, "/v1/messages",
                $$$"""{"model":"{{{noVision}}}","max_tokens":64,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},{"type":"text","text":"What is this?"}]}]}"""), noVision, "images");

            // /v1/responses (OpenAI's shape).
            AssertOpenAiRefusal(await RefusedAsync(http, "/v1/responses",
                $$$$"""{"model":"{{{{noTools}}}}","input":"hi","tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{}}}]}"""), noTools, "tools");
            AssertOpenAiRefusal(await RefusedAsync(http, "/v1/responses",
                $$"""{"model":"{{noVision}}","input":[{"role":"user","content":[{"type":"input_image","image_url":"{{Image}}"}]}]}"""), noVision, "images");
            AssertOpenAiRefusal(await RefusedAsync(http, "/v1/responses",
                $$$$"""{"model":"{{{{noJson}}}}","input":"hi","text":{"format":{"type":"json_object"}}}"""), noJson, "JSON mode");

            // Translated chat completions (to Anthropic and Gemini) are refused as well.
            AssertOpenAiRefusal(await RefusedAsync(http, "/v1/chat/completions",
                $$"""{"model":"{{noTools}}","messages":[{"role":"user","content":"hi"}],"tools":{{Tools}}}"""), noTools, "tools");
        }

        await factory.SettleAsync();
        Assert.Empty(await factory.UsageAsync(tenantId));
        Assert.Equal(Money.FromYuan(10).MicroYuan, (await factory.WalletRowAsync(tenantId)).BalanceMicroYuan);
        await factory.AssertUsageInvariantAsync(tenantId);
    }
}

public sealed class ModelFeatureFlagTestsOnPostgres(PostgresPortalFactory factory) : ModelFeatureFlagTests<PostgresPortalFactory>(factory);

public sealed class ModelFeatureFlagTestsOnSqlite(SqlitePortalFactory factory) : ModelFeatureFlagTests<SqlitePortalFactory>(factory);
