using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Usage;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Relay;

/// <summary>
/// Hostile clients: thousands of seeded, mutated bodies against every <c>/v1</c> surface and the tenant JSON API on the
/// embedded default (simulator channel, a verified tenant, a real key). Nothing a client sends may answer 5xx, every error
/// is in its protocol's shape, no answer takes 2 s, and afterwards the money is right: the ledger invariant holds and
/// only answered requests were charged.
/// </summary>
/// <remarks>
/// To fuzz a new <c>/v1</c> surface, add one <see cref="RelaySurface"/> to <see cref="RelaySurfaces"/>: its path, a few
/// valid seed bodies (<c>{chat}</c> / <c>{embedding}</c> stand for the arranged models' ids) and its error-shape check
/// (<c>/v1/messages</c> uses <c>IsAnthropicError</c>, <c>{"type":"error","error":{"type","message"}}</c>).
/// </remarks>
public abstract class RelayFuzzTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : PortalFactory
{
    /// <summary>Mutated bodies per surface; the relay surfaces together get at least 5,000.</summary>
    private const int CasesPerRelaySurface = 1_500;

    private const int CasesPerTenantEndpoint = 150;
    private const int Seed = 20_261_207;
    private const int InFlight = 3;
    private static readonly TimeSpan Slowest = TimeSpan.FromSeconds(2);

    /// <summary>A <c>/v1</c> endpoint to fuzz: its path, valid seed bodies and the check that an error body is in its protocol's shape.</summary>
    public sealed record RelaySurface(string Path, string[] Seeds, Func<JsonElement, bool> IsErrorShape);

    /// <summary>Every <c>/v1</c> surface that takes a body. One line per surface.</summary>
    public static readonly RelaySurface[] RelaySurfaces =
    [
        new("/v1/chat/completions",
        [
            """{"model":"{chat}","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Say hello"}],"max_tokens":20,"temperature":0.2}""",
            """{"model":"{chat}","messages":[{"role":"user","content":[{"type":"text","text":"你好"},{"type":"image_url","image_url":{"url":"https://x.test/a.png","detail":"low"}}]}],"stream":true,"stream_options":{"include_usage":true},"max_completion_tokens":30}""",
            """{"model":"{chat}","messages":[{"role":"user","content":"手机 13812345678，邮箱 li@example.com，卡 6222021234567890128"}],"stream":true,"max_tokens":20}""",
            """{"model":"{chat}","messages":[{"role":"user","content":"weather?"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"w","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"sunny"}],"tools":[{"type":"function","function":{"name":"w","parameters":{"type":"object","properties":{}}}}],"n":1,"stream":false}""",
        ], IsOpenAiError),
        new("/v1/embeddings",
        [
            """{"model":"{embedding}","input":"The quick brown fox"}""",
            """{"model":"{embedding}","input":["a","你好",""],"encoding_format":"base64","dimensions":64}""",
            """{"model":"{embedding}","input":[[1,2,3],[4]],"encoding_format":"float","user":"u1"}""",
        ], IsOpenAiError),
        new("/v1/messages",
        [
            """{"model":"{chat}","max_tokens":64,"system":[{"type":"text","text":"You are terse.","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"Say hello"}],"temperature":0.2}""",
            """{"model":"{chat}","max_tokens":32000,"stream":true,"thinking":{"type":"enabled","budget_tokens":1024},"messages":[{"role":"user","content":[{"type":"text","text":"你好"}]}],"metadata":{"user_id":"u1"}}""",
            """{"model":"{chat}","max_tokens":100,"tools":[{"name":"w","description":"weather","input_schema":{"type":"object","properties":{}}}],"messages":[{"role":"user","content":"weather?"},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"w","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"sunny"}]}]}""",
        ], IsAnthropicError),
        new("/v1/responses",
        [
            """{"model":"{chat}","instructions":"Be brief.","input":"Say hello","max_output_tokens":50,"store":false}""",
            """{"model":"{chat}","input":[{"type":"message","role":"developer","content":"terse"},{"type":"message","role":"user","content":[{"type":"input_text","text":"你好"}]}],"stream":true,"store":false,"reasoning":{"effort":"low"},"include":["reasoning.encrypted_content"]}""",
            """{"model":"{chat}","input":[{"role":"user","content":"weather?"},{"type":"function_call","call_id":"c1","name":"w","arguments":"{}"},{"type":"function_call_output","call_id":"c1","output":"sunny"}],"tools":[{"type":"function","name":"w","parameters":{"type":"object","properties":{}}}]}""",
        ], IsOpenAiError),
    ];

    /// <summary>The tenant JSON API's endpoints with a body (<c>{key}</c>: an existing key of the tenant).</summary>
    private static readonly (HttpMethod Method, string Path, string Seed)[] TenantEndpoints =
    [
        (HttpMethod.Post, "/api/tenant/api-keys", """{"name":"ci","expiresOn":"2030-01-31","allowedModels":["gpt-4o"],"allowedIpRanges":"10.0.0.0/8","requestsPerMinute":60,"monthlyBudget":"12.50"}"""),
        (HttpMethod.Put, "/api/tenant/api-keys/{key}", """{"name":"renamed","allowedModels":[],"requestsPerMinute":null,"monthlyBudget":null}"""),
        (HttpMethod.Post, "/api/tenant/bank-transfers", """{"amount":"1000.00"}"""),
        (HttpMethod.Post, "/api/tenant/invoices", """{"type":"Ordinary","amount":"10.00","remarks":"备注"}"""),
        (HttpMethod.Put, "/api/tenant/invoice-profile", """{"title":"测试科技有限公司","taxpayerId":"91310000MA1FL0000X","address":"上海","phone":"021-1234","bankName":"银行","bankAccount":"6222","email":"a@b.test"}"""),
        (HttpMethod.Put, "/api/tenant/members/{random}/role", """{"role":"Developer"}"""),
        (HttpMethod.Post, "/api/tenant/invitations", """{"email":"invitee@example.test","role":"Viewer"}"""),
        (HttpMethod.Post, "/api/tenant/plans/{random}/purchase", """{"requestId":"7d1c2f5e-0000-4000-8000-000000000001","autoRenew":true}"""),
        (HttpMethod.Post, "/api/tenant/plan/auto-renew", """{"autoRenew":false}"""),
        (HttpMethod.Post, "/api/tenant/refunds", """{"amount":"1.00","reason":"测试"}"""),
        (HttpMethod.Post, "/api/tenant/top-ups", """{"amount":"100.00","channel":"AlipayPage"}"""),
        (HttpMethod.Put, "/api/tenant/data-policy", """{"pii":"Mask","piiScope":"CrossBorderOnly","restoreInAnswers":true,"noCrossBorder":false}"""),
        (HttpMethod.Put, "/api/tenant/data-policy/keys/{key}", """{"pii":"Block","piiScope":"AllChannels","restoreInAnswers":false,"noCrossBorder":true}"""),
    ];

    private static bool IsOpenAiError(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
        && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String && message.GetString()!.Length > 0
        && error.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
        && error.TryGetProperty("param", out var param) && param.ValueKind is JsonValueKind.String or JsonValueKind.Null
        && error.TryGetProperty("code", out var code) && code.ValueKind is JsonValueKind.String or JsonValueKind.Null;

    private static bool IsAnthropicError(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var kind) && kind.ValueKind == JsonValueKind.String && kind.GetString() == "error"
        && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
        && error.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
        && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String && message.GetString()!.Length > 0;

    private static bool IsProblemDetails(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Number
        && root.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String;

    [Fact]
    public async Task No_body_a_client_sends_to_v1_answers_5xx_or_leaves_the_money_wrong()
    {
        var (owner, tenantId) = await factory.VerifiedTenantAsync("模糊测试科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(1_000))).IsSuccess);
        // Every body also goes through PII masking and the restoring of answers (the data policy's heaviest path).
        Assert.True((await owner.PutJsonAsync("/api/tenant/data-policy", new { pii = "Mask", piiScope = "AllChannels", restoreInAnswers = true, noCrossBorder = false })).IsSuccessStatusCode);
        var (secret, _) = await factory.KeyAsync(tenantId);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var chat = await factory.ModelAsync("fuzz-chat-" + suffix, ModelKind.Chat, 1_000_000, 2_000_000, new ChannelSpec("sim", ChannelType.Simulator));
        var embedding = await factory.ModelAsync("fuzz-emb-" + suffix, ModelKind.Embedding, 100_000, 0, new ChannelSpec("sim", ChannelType.Simulator));
        using var http = factory.RelayClient(secret);
        var maxBody = (int)new Portal.Relay.RelayOptions().MaxBodyBytes;

        var report = new FuzzReport();
        for (var s = 0; s < RelaySurfaces.Length; s++)
        {
            var surface = RelaySurfaces[s];
            var seeds = surface.Seeds.Select(b => b.Replace("{chat}", chat, StringComparison.Ordinal).Replace("{embedding}", embedding, StringComparison.Ordinal)).ToArray();
            await RunAsync(http, HttpMethod.Post, _ => surface.Path, seeds, CasesPerRelaySurface, Seed + s, maxBody + 1024, surface.IsErrorShape, report);
        }

        report.AssertClean(RelaySurfaces.Length * CasesPerRelaySurface);

        // The money: the invariant holds, nothing stays reserved beyond the leases, and only answered requests were charged.
        await factory.AssertUsageInvariantAsync(tenantId);
        await factory.AssertReservedMatchesLeasesAsync(tenantId);
        var usage = await factory.UsageAsync(tenantId);
        Assert.All(usage.Where(u => u.Status != UsageStatus.Succeeded), u => Assert.Equal(0, u.CostMicroYuan));
        Assert.Equal(report.Count(200), usage.Count(u => u.Status == UsageStatus.Succeeded));
        Assert.True(report.Count(200) > 50, "some mutated bodies should still be valid requests");
    }

    [Fact]
    public async Task No_body_sent_to_the_tenant_json_api_answers_5xx()
    {
        var (client, tenantId) = await factory.VerifiedTenantAsync("模糊测试二科技有限公司");
        // Money in the wallet, so that refund, invoice and plan bodies reach the money paths rather than stopping at "no balance".
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(500))).IsSuccess);
        var (_, keyId) = await factory.KeyAsync(tenantId);
        var report = new FuzzReport();
        for (var e = 0; e < TenantEndpoints.Length; e++)
        {
            var (method, path, seed) = TenantEndpoints[e];
            await RunAsync(client.Http, method, i => path.Replace("{key}", keyId.ToString(), StringComparison.Ordinal).Replace("{random}", new Guid(i, 0, 0, new byte[8]).ToString(), StringComparison.Ordinal),
                [seed], CasesPerTenantEndpoint, Seed + 100 + e, 2 * 1024 * 1024, IsProblemDetails, report);
        }

        report.AssertClean(TenantEndpoints.Length * CasesPerTenantEndpoint);
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    private static async Task RunAsync(HttpClient http, HttpMethod method, Func<int, string> path, string[] seeds, int count, int seed, int hugeBytes,
        Func<JsonElement, bool> isErrorShape, FuzzReport report)
    {
        // Warm up: the first call of each seed compiles the endpoint's path (JIT, caches); only the fuzzed calls are timed.
        foreach (var body in seeds)
        {
            using var warmUp = await http.SendAsync(new HttpRequestMessage(method, path(0)) { Content = RelayArrange.Json(body) });
            report.WarmUp((int)warmUp.StatusCode);
        }

        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = InFlight }, async (i, ct) =>
        {
            var fuzz = BodyFuzzer.Case(seeds, seed, i, hugeBytes);
            using var request = new HttpRequestMessage(method, path(i)) { Content = new ByteArrayContent(fuzz.Body) };
            request.Content.Headers.ContentType = fuzz.ContentType is null ? null : MediaTypeHeaderValue.Parse(fuzz.ContentType);
            var clock = Stopwatch.StartNew();
            using var response = await http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            clock.Stop();
            report.Add(path(i), i, fuzz, (int)response.StatusCode, text, clock.Elapsed, isErrorShape);
        });
    }

    /// <summary>Status counts and every violation, thread-safe.</summary>
    private sealed class FuzzReport
    {
        private readonly ConcurrentDictionary<int, int> _statuses = new();
        private readonly ConcurrentQueue<string> _violations = new();
        private readonly ConcurrentQueue<string> _serverErrors = new();
        private int _total;

        private int _warmUpsAnswered;

        /// <summary>Fuzzed requests answered with <paramref name="status"/>; for 200, plus the warm-up requests answered 200.</summary>
        public int Count(int status) => _statuses.GetValueOrDefault(status) + (status == 200 ? _warmUpsAnswered : 0);

        public void WarmUp(int status)
        {
            if (status == 200) Interlocked.Increment(ref _warmUpsAnswered);
        }

        public void Add(string path, int index, FuzzCase fuzz, int status, string body, TimeSpan elapsed, Func<JsonElement, bool> isErrorShape)
        {
            Interlocked.Increment(ref _total);
            _statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            var where = $"{path} case {index} ({fuzz.Mutation}, {fuzz.Body.Length} bytes)";
            if (status >= 500) _serverErrors.Enqueue($"{where}: {status} {Trim(body)}");
            if (elapsed > Slowest) _violations.Enqueue($"{where}: took {elapsed.TotalMilliseconds:F0} ms");
            if (status >= 400 && !HasShape(body, isErrorShape)) _violations.Enqueue($"{where}: {status} error body not in the protocol's shape: {Trim(body)}");
        }

        public void AssertClean(int expected)
        {
            var counts = string.Join(", ", _statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}"));
            Console.WriteLine($"Fuzzed {_total} bodies; statuses {counts}");
            Assert.Equal(expected, _total);
            Assert.True(_serverErrors.IsEmpty && _violations.IsEmpty,
                $"{_serverErrors.Count} server errors and {_violations.Count} other violations (statuses {counts}):\n" + string.Join("\n", _serverErrors.Concat(_violations).Take(40)));
        }

        private static bool HasShape(string body, Func<JsonElement, bool> isErrorShape)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                return isErrorShape(document.RootElement);
            }
            catch (JsonException)
            {
                return false;
            }
        }

        private static string Trim(string body) => body.Length > 300 ? body[..300] + "…" : body;
    }
}

public sealed class RelayFuzzTestsOnPostgres(PostgresPortalFactory factory) : RelayFuzzTests<PostgresPortalFactory>(factory);

public sealed class RelayFuzzTestsOnSqlite(SqlitePortalFactory factory) : RelayFuzzTests<SqlitePortalFactory>(factory);
