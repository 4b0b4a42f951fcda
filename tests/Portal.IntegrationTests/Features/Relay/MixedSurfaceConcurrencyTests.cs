using System.Net;
using Portal.Core.Common;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Usage;
using Portal.IntegrationTests.Infrastructure;
using Portal.Relay.Billing;

namespace Portal.IntegrationTests.Features.Relay;

/// <summary>
/// The money path under concurrency across every surface: 300 requests at once — chat completions, Anthropic
/// messages, Responses and embeddings, streaming and not — through simulator channels of the three wire families
/// (pass-through and translated alike), against a balance that covers about 100 of them.
/// </summary>
public abstract class MixedSurfaceConcurrencyTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : PortalFactory
{
    private const long InputPrice = 3_000_000;   // ¥3 per 1M input tokens
    private const long OutputPrice = 15_000_000; // ¥15 per 1M output tokens
    private const int MaxTokens = 64;

    /// <summary>More than any request here holds: its prompt is far below 200 tokens and its output at most <see cref="MaxTokens"/>.</summary>
    private static readonly long HoldBound = Pricing.HoldFor(200, MaxTokens, ModelPrices.WithoutCacheDiscount(new Money(InputPrice), new Money(OutputPrice))).MicroYuan;

    private sealed record Call(string Path, string Body, bool Anthropic);

    private async Task<string> ModelAsync(string stem, ModelKind kind, WireFamily family) =>
        await factory.ModelAsync($"{stem}-{Guid.NewGuid():N}"[..(stem.Length + 9)], kind, InputPrice, OutputPrice,
            new ChannelSpec(stem, ChannelType.Simulator, SimulatorWireFamily: family));

    private static List<Call> Calls(IReadOnlyList<string> chatModels, IReadOnlyList<string> embeddingModels)
    {
        var calls = new List<Call>();
        foreach (var model in chatModels)
        {
            foreach (var stream in new[] { false, true })
            {
                var s = stream ? "true" : "false";
                var usage = stream ? ",\"stream_options\":{\"include_usage\":true}" : "";
                calls.Add(new("/v1/chat/completions", $$"""{"model":"{{model}}","messages":[{"role":"user","content":"Say hello"}],"max_tokens":{{MaxTokens}},"stream":{{s}}{{usage}}}""", false));
                calls.Add(new("/v1/messages", $$"""{"model":"{{model}}","max_tokens":{{MaxTokens}},"system":[{"type":"text","text":"Be brief."}],"messages":[{"role":"user","content":"Say hello"}],"stream":{{s}}}""", true));
                calls.Add(new("/v1/responses", $$"""{"model":"{{model}}","instructions":"Be brief.","input":"Say hello","max_output_tokens":{{MaxTokens}},"store":false,"stream":{{s}}}""", false));
            }
        }

        foreach (var model in embeddingModels)
        {
            calls.Add(new("/v1/embeddings", $$"""{"model":"{{model}}","input":"hello world"}""", false));
            calls.Add(new("/v1/embeddings", $$"""{"model":"{{model}}","input":["hello","world"],"encoding_format":"base64"}""", false));
        }

        return calls;
    }

    [Fact]
    public async Task Three_hundred_mixed_surface_requests_against_a_balance_for_a_hundred_never_overspend()
    {
        string[] chatModels =
        [
            await ModelAsync("oai", ModelKind.Chat, WireFamily.OpenAI),
            await ModelAsync("claude", ModelKind.Chat, WireFamily.Anthropic),
            await ModelAsync("gem", ModelKind.Chat, WireFamily.Gemini),
        ];
        string[] embeddingModels =
        [
            await ModelAsync("emb", ModelKind.Embedding, WireFamily.OpenAI),
            await ModelAsync("gemb", ModelKind.Embedding, WireFamily.Gemini),
        ];
        var calls = Calls(chatModels, embeddingModels);

        var (_, tenantId) = await factory.VerifiedTenantAsync();
        var balance = 100 * HoldBound;
        Assert.True((await factory.AdjustAsync(tenantId, new Money(balance))).IsSuccess);
        var (secret, _) = await factory.KeyAsync(tenantId);

        using var http = factory.RelayClient(secret);
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 300).Select(i => Task.Run(async () =>
        {
            var call = calls[i % calls.Count];
            using var request = new HttpRequestMessage(HttpMethod.Post, call.Path) { Content = RelayArrange.Json(call.Body) };
            if (call.Anthropic) request.Headers.Add("anthropic-version", "2023-06-01");
            start.Wait();
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            return (Call: call, response.StatusCode, Text: text);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(tasks);
        await factory.SettleAsync();

        // Every answer is a success or the surface's own "no money" refusal: 429 insufficient_quota (OpenAI shapes), 402 billing_error (Anthropic).
        foreach (var (call, status, text) in results)
        {
            if (status == HttpStatusCode.OK) continue;
            if (call.Anthropic)
            {
                Assert.Equal(HttpStatusCode.PaymentRequired, status);
                Assert.Contains("\"billing_error\"", text, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, status);
                Assert.Contains("\"insufficient_quota\"", text, StringComparison.Ordinal);
            }
        }

        var ok = results.Count(r => r.StatusCode == HttpStatusCode.OK);
        Assert.True(ok >= 100, $"only {ok} succeeded although the balance covers 100 holds");
        // Whether the balance runs out depends on how many holds overlap: on a quiet machine requests finish fast, holds are
        // released at their (smaller) real cost and all 300 can succeed. The money checks below hold either way.

        // Streams that succeeded were complete in their own protocol.
        Assert.All(results.Where(r => r.StatusCode == HttpStatusCode.OK && r.Call.Body.Contains("\"stream\":true", StringComparison.Ordinal)), r =>
        {
            // (A Responses stream cut by max_output_tokens ends with response.incomplete, which is complete too.)
            string[] ends = r.Call.Path switch
            {
                "/v1/chat/completions" => ["data: [DONE]"],
                "/v1/messages" => ["event: message_stop"],
                _ => ["event: response.completed", "event: response.incomplete"],
            };
            Assert.Contains(ends, end => r.Text.Contains(end, StringComparison.Ordinal));
        });

        var usage = await factory.UsageAsync(tenantId);
        var wallet = await factory.WalletRowAsync(tenantId);
        Assert.True(wallet.BalanceMicroYuan >= 0, $"balance went to {wallet.BalanceMicroYuan}");
        Assert.Equal(ok, usage.Count(u => u.Status == UsageStatus.Succeeded));
        Assert.Equal(usage.Count, usage.Select(u => u.RequestId).Distinct().Count());
        Assert.All(usage, u => Assert.False(u.Overdraft));
        Assert.All(usage, u => Assert.Equal(
            Pricing.Cost(u.InputTokens, u.CachedInputTokens, u.CacheWriteInputTokens, u.OutputTokens, new ModelPrices(
                new Money(InputPrice), new Money(OutputPrice), new Money(u.CachedInputPricePerMillionMicroYuan), new Money(u.CacheWritePricePerMillionMicroYuan))).MicroYuan,
            u.CostMicroYuan));
        Assert.All(usage, u => Assert.Equal((InputPrice, OutputPrice), (u.InputPricePerMillionMicroYuan, u.OutputPricePerMillionMicroYuan)));
        Assert.Equal(
            [UsageEndpoint.ChatCompletions, UsageEndpoint.Embeddings, UsageEndpoint.Messages, UsageEndpoint.Responses],
            usage.Select(u => u.Endpoint).Distinct().Order().ToArray());
        Assert.Equal(balance - wallet.BalanceMicroYuan, usage.Sum(u => u.WalletChargedMicroYuan));
        Assert.Equal(usage.Sum(u => u.CostMicroYuan), usage.Sum(u => u.WalletChargedMicroYuan));
        await factory.AssertUsageInvariantAsync(tenantId);
        await factory.AssertReservedMatchesLeasesAsync(tenantId);
    }
}

public sealed class MixedSurfaceConcurrencyTestsOnPostgres(PostgresPortalFactory factory) : MixedSurfaceConcurrencyTests<PostgresPortalFactory>(factory);

public sealed class MixedSurfaceConcurrencyTestsOnSqlite(SqlitePortalFactory factory) : MixedSurfaceConcurrencyTests<SqlitePortalFactory>(factory);
