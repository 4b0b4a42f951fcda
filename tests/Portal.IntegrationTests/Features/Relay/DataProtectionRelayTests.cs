using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.DataProtection;
using Portal.Core.Features.Usage;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Relay;

/// <summary>
/// The tenant data policy in the relay, end to end (DESIGN §10): channel regions, NoCrossBorder routing and failover,
/// PII masking with restore (whole and streamed answers, every surface), blocking, per-key overrides, and the canary
/// proof that no prompt text is kept anywhere (every table of the database, the application logs, the file store).
/// </summary>
public abstract class DataProtectionRelayTests<TFactory>(TFactory factory, FakeOpenAiUpstream upstream) : IClassFixture<TFactory>
    where TFactory : PortalFactory, ILogCapture
{
    private const long InputPrice = 2_500_000;
    private const long OutputPrice = 10_000_000;
    private const string Phone = "13812345678";
    private const string Email = "li.si@example.com";

    private static string NewModelId(string stem = "dp") => $"{stem}-{Guid.NewGuid():N}"[..(stem.Length + 9)];

    private async Task<(PortalClient Owner, Guid TenantId, string Secret, Guid KeyId)> FundedTenantAsync(Action<Portal.Core.Features.ApiKeys.ApiKey>? key = null)
    {
        var (owner, tenantId) = await factory.VerifiedTenantAsync();
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(100))).IsSuccess);
        var (secret, keyId) = await factory.KeyAsync(tenantId, key);
        return (owner, tenantId, secret, keyId);
    }

    private static async Task SetPolicyAsync(PortalClient owner, PiiHandling pii, PiiScope scope = PiiScope.CrossBorderOnly, bool restore = false, bool noCrossBorder = false, Guid? keyId = null)
    {
        var url = keyId is { } id ? $"/api/tenant/data-policy/keys/{id}" : "/api/tenant/data-policy";
        var response = await owner.PutJsonAsync(url, new { pii, piiScope = scope, restoreInAnswers = restore, noCrossBorder });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private Task<string> ModelAsync(params ChannelSpec[] channels) => factory.ModelAsync(NewModelId(), ModelKind.Chat, InputPrice, OutputPrice, channels);

    private ChannelSpec Echo(ChannelRegion region, int priority = 0) => new("echo", ChannelType.OpenAICompatible, upstream.BaseUrl("echo"), Priority: priority, Region: region);

    private ChannelSpec Behaving(string behaviour, ChannelRegion region, int priority = 0) => new(behaviour, ChannelType.OpenAICompatible, upstream.BaseUrl(behaviour), Priority: priority, Region: region);

    private static StringContent Chat(string model, string content, bool stream = false) =>
        RelayArrange.Json(JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content } }, stream, max_tokens = 64 }));

    private string LastUpstreamBody() => upstream.Requests.Last().Body;

    private static async Task<string> StreamedTextAsync(HttpResponseMessage response)
    {
        var text = new StringBuilder();
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal)) continue;
            using var doc = JsonDocument.Parse(line[6..]);
            if (doc.RootElement.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0
                && choices[0].GetProperty("delta").TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                text.Append(content.GetString());
        }

        return text.ToString();
    }

    private static async Task<string> ChatAnswerAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }

    private static bool HoldsString(JsonElement element, string value) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString() == value,
        JsonValueKind.Object => element.EnumerateObject().Any(p => HoldsString(p.Value, value)),
        JsonValueKind.Array => element.EnumerateArray().Any(e => HoldsString(e, value)),
        _ => false,
    };

    [Fact]
    public async Task Mask_for_cross_border_channels_sends_placeholders_abroad_and_restores_them_when_asked()
    {
        var (owner, tenantId, secret, _) = await FundedTenantAsync();
        await SetPolicyAsync(owner, PiiHandling.Mask);
        var model = await ModelAsync(Echo(ChannelRegion.CrossBorder));
        var http = factory.RelayClient(secret);
        var prompt = $"请联系 {Phone} 或 {Email}，再打 {Phone}";

        // Without the header: what went abroad and what came back carry placeholders only.
        var answer = await ChatAnswerAsync(await http.PostAsync("/v1/chat/completions", Chat(model, prompt)));
        Assert.Equal("请联系 [手机号_1] 或 [邮箱_1]，再打 [手机号_1]", answer);
        Assert.DoesNotContain(Phone, LastUpstreamBody(), StringComparison.Ordinal);
        Assert.DoesNotContain(Email, LastUpstreamBody(), StringComparison.Ordinal);

        // With the header the values come back, whole and streamed (the echo streams three characters per event, so
        // every placeholder is split across events).
        using var restoreRequest = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Chat(model, prompt) };
        restoreRequest.Headers.Add("X-Portal-Pii-Restore", "true");
        Assert.Equal(prompt, await ChatAnswerAsync(await http.SendAsync(restoreRequest)));
        using var streamRequest = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Chat(model, prompt, stream: true) };
        streamRequest.Headers.Add("X-Portal-Pii-Restore", "true");
        var streamed = await http.SendAsync(streamRequest);
        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        Assert.Equal(prompt, await StreamedTextAsync(streamed));
        Assert.DoesNotContain(Phone, LastUpstreamBody(), StringComparison.Ordinal);

        await factory.SettleAsync();
        var records = await factory.UsageAsync(tenantId);
        Assert.Equal(3, records.Count);
        Assert.All(records, r =>
        {
            Assert.Equal("Mobile:1,Email:1", r.PiiFindings);
            Assert.Equal(ChannelRegion.CrossBorder, r.ChannelRegion);
            Assert.Equal(UsageStatus.Succeeded, r.Status);
        });
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task The_policy_can_restore_for_every_request_and_domestic_channels_get_the_original_under_cross_border_scope()
    {
        var (owner, tenantId, secret, _) = await FundedTenantAsync();
        await SetPolicyAsync(owner, PiiHandling.Mask, restore: true);
        var abroad = await ModelAsync(Echo(ChannelRegion.CrossBorder));
        var home = await ModelAsync(Echo(ChannelRegion.Domestic));
        var http = factory.RelayClient(secret);
        var prompt = $"卡号 6222 0212 3456 7890 128，手机 {Phone}";

        Assert.Equal(prompt, await ChatAnswerAsync(await http.PostAsync("/v1/chat/completions", Chat(abroad, prompt))));
        Assert.Contains("[手机号_1]", LastUpstreamBody(), StringComparison.Ordinal);
        Assert.Equal(prompt, await ChatAnswerAsync(await http.PostAsync("/v1/chat/completions", Chat(home, prompt))));
        Assert.Contains(Phone, LastUpstreamBody(), StringComparison.Ordinal);

        await factory.SettleAsync();
        var records = (await factory.UsageAsync(tenantId)).OrderBy(r => r.At).ThenBy(r => r.Model == home).ToList();
        Assert.Equal([ChannelRegion.Domestic, ChannelRegion.CrossBorder], records.Select(r => r.ChannelRegion!.Value).Order());
        Assert.Equal("Mobile:1,BankCard:1", records.Single(r => r.Model == abroad).PiiFindings);
        // Nothing is scanned for a domestic channel when the policy is for cross-border channels only.
        Assert.Null(records.Single(r => r.Model == home).PiiFindings);
    }

    [Fact]
    public async Task Messages_responses_and_embeddings_are_masked_and_answers_restored()
    {
        var (owner, tenantId, secret, _) = await FundedTenantAsync();
        await SetPolicyAsync(owner, PiiHandling.Mask, PiiScope.AllChannels, restore: true);
        var model = await ModelAsync(Echo(ChannelRegion.Domestic));
        var prompt = $"身份证 11010519491231002X 与 {Email}";

        var anthropic = factory.RelayClient(null);
        anthropic.DefaultRequestHeaders.Add("x-api-key", secret);
        anthropic.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        var messages = await anthropic.PostAsync("/v1/messages", RelayArrange.Json(JsonSerializer.Serialize(new { model, max_tokens = 64, messages = new[] { new { role = "user", content = prompt } } })));
        var messagesBody = await messages.Content.ReadAsStringAsync();
        Assert.True(messages.IsSuccessStatusCode, messagesBody);
        Assert.Equal(prompt, JsonDocument.Parse(messagesBody).RootElement.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Contains("[身份证号_1]", LastUpstreamBody(), StringComparison.Ordinal);
        Assert.DoesNotContain("11010519491231002X", LastUpstreamBody(), StringComparison.Ordinal);

        var streamed = await anthropic.PostAsync("/v1/messages", RelayArrange.Json(JsonSerializer.Serialize(new { model, max_tokens = 64, stream = true, messages = new[] { new { role = "user", content = prompt } } })));
        var events = await streamed.Content.ReadAsStringAsync();
        var deltas = string.Concat(events.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal) && l.Contains("text_delta", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l[6..]).RootElement.GetProperty("delta").GetProperty("text").GetString()));
        Assert.Equal(prompt, deltas);
        Assert.DoesNotContain(Email, LastUpstreamBody(), StringComparison.Ordinal);

        var http = factory.RelayClient(secret);
        var responses = await http.PostAsync("/v1/responses", RelayArrange.Json(JsonSerializer.Serialize(new { model, input = prompt, store = false, max_output_tokens = 64 })));
        var responsesBody = await responses.Content.ReadAsStringAsync();
        Assert.True(responses.IsSuccessStatusCode, responsesBody);
        Assert.True(HoldsString(JsonDocument.Parse(responsesBody).RootElement, prompt), responsesBody);
        Assert.DoesNotContain(Email, LastUpstreamBody(), StringComparison.Ordinal);

        var embeddingModel = await factory.ModelAsync(NewModelId("emb"), ModelKind.Embedding, InputPrice, 0, Behaving("ok", ChannelRegion.CrossBorder));
        var embeddings = await http.PostAsync("/v1/embeddings", RelayArrange.Json(JsonSerializer.Serialize(new { model = embeddingModel, input = new[] { prompt, "no pii here" } })));
        Assert.True(embeddings.IsSuccessStatusCode, await embeddings.Content.ReadAsStringAsync());
        var sent = LastUpstreamBody();
        Assert.Contains("[身份证号_1]", sent, StringComparison.Ordinal);
        Assert.Contains("no pii here", sent, StringComparison.Ordinal);

        await factory.SettleAsync();
        Assert.All(await factory.UsageAsync(tenantId), r => Assert.Equal("IdCard:1,Email:1", r.PiiFindings));
    }

    [Fact]
    public async Task Block_refuses_with_400_naming_the_kinds_never_the_values_and_charges_nothing()
    {
        var (owner, tenantId, secret, _) = await FundedTenantAsync();
        await SetPolicyAsync(owner, PiiHandling.Block, PiiScope.AllChannels);
        var model = await ModelAsync(Echo(ChannelRegion.Domestic));
        var before = upstream.Requests.Count;

        var refused = await factory.RelayClient(secret).PostAsync("/v1/chat/completions", Chat(model, $"手机 {Phone}，邮箱 {Email}"));
        var body = await refused.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal("pii_blocked", error.GetProperty("code").GetString());
        Assert.Contains("手机号 ×1", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("邮箱 ×1", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Phone, body, StringComparison.Ordinal);
        Assert.DoesNotContain(Email, body, StringComparison.Ordinal);

        // Anthropic clients get Anthropic's error shape.
        var anthropic = factory.RelayClient(null);
        anthropic.DefaultRequestHeaders.Add("x-api-key", secret);
        anthropic.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        var messages = await anthropic.PostAsync("/v1/messages", RelayArrange.Json(JsonSerializer.Serialize(new { model, max_tokens = 16, messages = new[] { new { role = "user", content = Phone } } })));
        Assert.Equal(HttpStatusCode.BadRequest, messages.StatusCode);
        Assert.Equal("error", JsonDocument.Parse(await messages.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());

        // A request without personal information goes through.
        Assert.Equal("你好", await ChatAnswerAsync(await factory.RelayClient(secret).PostAsync("/v1/chat/completions", Chat(model, "你好"))));
        Assert.Equal(before + 1, upstream.Requests.Count);
        await factory.SettleAsync();
        var record = Assert.Single(await factory.UsageAsync(tenantId));
        Assert.Null(record.PiiFindings);
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task NoCrossBorder_fails_over_only_to_domestic_channels_and_refuses_a_model_served_only_abroad()
    {
        var (owner, tenantId, secret, _) = await FundedTenantAsync();
        await SetPolicyAsync(owner, PiiHandling.Off, noCrossBorder: true);
        var model = await ModelAsync(Behaving("ok", ChannelRegion.CrossBorder, priority: 0), Behaving("fail500", ChannelRegion.Domestic, priority: 1), Echo(ChannelRegion.Domestic, priority: 2));
        var abroadOnly = await ModelAsync(Behaving("ok", ChannelRegion.CrossBorder));
        var okHits = upstream.Hits.GetValueOrDefault("ok");
        var failHits = upstream.Hits.GetValueOrDefault("fail500");
        var http = factory.RelayClient(secret);

        Assert.Equal("境内", await ChatAnswerAsync(await http.PostAsync("/v1/chat/completions", Chat(model, "境内"))));
        Assert.Equal(okHits, upstream.Hits.GetValueOrDefault("ok"));
        Assert.Equal(failHits + 1, upstream.Hits.GetValueOrDefault("fail500"));

        var refused = await http.PostAsync("/v1/chat/completions", Chat(abroadOnly, "hi"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("cross_border_forbidden", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(okHits, upstream.Hits.GetValueOrDefault("ok"));

        await factory.SettleAsync();
        var record = Assert.Single(await factory.UsageAsync(tenantId));
        Assert.Equal(ChannelRegion.Domestic, record.ChannelRegion);
        Assert.Equal(model, record.Model);
        await factory.AssertUsageInvariantAsync(tenantId);

        // Without the policy the cross-border channel (priority 0) serves again.
        await SetPolicyAsync(owner, PiiHandling.Off, noCrossBorder: false);
        Assert.True((await http.PostAsync("/v1/chat/completions", Chat(abroadOnly, "hi"))).IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_key_override_replaces_the_tenant_default_and_another_tenants_key_is_404()
    {
        var (owner, _, secret, keyId) = await FundedTenantAsync();
        await SetPolicyAsync(owner, PiiHandling.Block, PiiScope.AllChannels);
        await SetPolicyAsync(owner, PiiHandling.Off, keyId: keyId);
        var model = await ModelAsync(Echo(ChannelRegion.CrossBorder));
        Assert.Equal(Phone, await ChatAnswerAsync(await factory.RelayClient(secret).PostAsync("/v1/chat/completions", Chat(model, Phone))));

        var policies = await owner.GetJsonAsync<JsonElement>("/api/tenant/data-policy");
        Assert.Equal("Block", policies.GetProperty("default").GetProperty("pii").GetString());
        Assert.Equal(keyId, policies.GetProperty("overrides")[0].GetProperty("apiKeyId").GetGuid());

        // Removing the override puts the key back under the default at once.
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Http.DeleteAsync($"/api/tenant/data-policy/keys/{keyId}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await factory.RelayClient(secret).PostAsync("/v1/chat/completions", Chat(model, Phone))).StatusCode);

        var (other, _, _, _) = await FundedTenantAsync();
        var foreign = await other.PutJsonAsync($"/api/tenant/data-policy/keys/{keyId}", new { pii = PiiHandling.Off, piiScope = PiiScope.AllChannels, restoreInAnswers = false, noCrossBorder = false });
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);

        await using var db = await factory.DbAsync();
        Assert.Contains(await db.AuditEntries.IgnoreTenantFilter().Select(a => a.Action).ToListAsync(), a => a == "data_protection.policy_saved");
    }

    /// <summary>
    /// DESIGN §10: no prompt or completion text is stored anywhere. A unique canary goes through every surface and outcome;
    /// afterwards every text and binary column of every table, every captured log line and every stored file is searched.
    /// A control string put in on purpose (an API key's name) is found by the same search, so the search itself works.
    /// </summary>
    [Fact]
    public async Task A_canary_sent_through_every_surface_is_kept_nowhere()
    {
        var canary = "canary" + Guid.NewGuid().ToString("N");
        var control = "control" + Guid.NewGuid().ToString("N");
        var (owner, tenantId, secret, _) = await FundedTenantAsync(k => k.Name = control);
        await SetPolicyAsync(owner, PiiHandling.Mask, restore: true);
        var (blockedSecret, blockedKey) = await factory.KeyAsync(tenantId);
        await SetPolicyAsync(owner, PiiHandling.Block, PiiScope.AllChannels, keyId: blockedKey);

        var ok = await ModelAsync(Behaving("ok", ChannelRegion.Domestic));
        var failing = await ModelAsync(Behaving("fail500", ChannelRegion.Domestic));
        var refusing = await ModelAsync(Behaving("badrequest", ChannelRegion.Domestic));
        var failover = await ModelAsync(Behaving("fail500", ChannelRegion.Domestic, priority: 0), Behaving("ok", ChannelRegion.Domestic, priority: 1));
        var dying = await ModelAsync(Behaving("die", ChannelRegion.Domestic));
        var masked = await ModelAsync(Echo(ChannelRegion.CrossBorder));
        var embeddings = await factory.ModelAsync(NewModelId("emb"), ModelKind.Embedding, InputPrice, 0, Behaving("ok", ChannelRegion.Domestic));
        var http = factory.RelayClient(secret);
        var prompt = $"{canary} 手机 {Phone}";

        var answers = new List<HttpResponseMessage>
        {
            await http.PostAsync("/v1/chat/completions", Chat(ok, prompt)),
            await http.PostAsync("/v1/chat/completions", Chat(ok, prompt, stream: true)),
            await http.PostAsync("/v1/chat/completions", Chat(failing, prompt)),
            await http.PostAsync("/v1/chat/completions", Chat(refusing, prompt)),
            await http.PostAsync("/v1/chat/completions", Chat(failover, prompt)),
            await http.PostAsync("/v1/chat/completions", Chat(dying, prompt, stream: true)),
            await http.PostAsync("/v1/chat/completions", Chat(masked, prompt, stream: true)),
            await http.PostAsync("/v1/chat/completions", Chat(masked, prompt)),
            await factory.RelayClient(blockedSecret).PostAsync("/v1/chat/completions", Chat(ok, prompt)),
            await http.PostAsync("/v1/responses", RelayArrange.Json(JsonSerializer.Serialize(new { model = ok, input = prompt, store = false }))),
            await http.PostAsync("/v1/embeddings", RelayArrange.Json(JsonSerializer.Serialize(new { model = embeddings, input = prompt }))),
            await http.PostAsync("/v1/chat/completions", RelayArrange.Json("{\"model\":\"" + ok + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + canary + "\"}],\"max_tokens\":\"" + canary + "\"}")),
        };
        var anthropic = factory.RelayClient(null);
        anthropic.DefaultRequestHeaders.Add("x-api-key", secret);
        anthropic.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        answers.Add(await anthropic.PostAsync("/v1/messages", RelayArrange.Json(JsonSerializer.Serialize(new { model = ok, max_tokens = 32, messages = new[] { new { role = "user", content = prompt } } }))));

        // An aborted stream: the client goes away after the first bytes.
        using (var abort = new CancellationTokenSource())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Chat(masked, prompt + new string('x', 2000), stream: true) };
            var streaming = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, abort.Token);
            await using var stream = await streaming.Content.ReadAsStreamAsync(abort.Token);
            await stream.ReadAtLeastAsync(new byte[16], 16, throwOnEndOfStream: false, abort.Token);
            abort.Cancel();
        }

        var statuses = answers.Select(a => (int)a.StatusCode).ToList();
        Assert.Equal([200, 200, 502, 400, 200, 200, 200, 200, 400, 200, 200, 400, 200], statuses);
        foreach (var answer in answers) _ = await answer.Content.ReadAsStringAsync();
        // Twelve requests were admitted (not the blocked and the invalid one); the aborted one settles when the relay sees the abort.
        for (var i = 0; i < 200 && (await factory.UsageAsync(tenantId)).Count < 12; i++)
        {
            await factory.SettleAsync();
            await Task.Delay(50);
        }

        Assert.Equal(12, (await factory.UsageAsync(tenantId)).Count);

        await using var db = await factory.DbAsync();
        var (hits, columns) = await SearchDatabaseAsync(db, canary);
        Assert.True(columns > 100, $"only {columns} columns searched");
        Assert.Empty(hits);
        Assert.NotEmpty((await SearchDatabaseAsync(db, control)).Hits);

        var logs = factory.Logs.ToList();
        Assert.Contains(logs, l => l.Contains("trying the next one", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.Contains(canary, StringComparison.Ordinal));
        Assert.DoesNotContain(logs, l => l.Contains(Phone, StringComparison.Ordinal));

        if (Directory.Exists(factory.StoragePath))
        {
            var needle = Encoding.UTF8.GetBytes(canary);
            foreach (var file in Directory.EnumerateFiles(factory.StoragePath, "*", SearchOption.AllDirectories))
                Assert.True((await File.ReadAllBytesAsync(file)).AsSpan().IndexOf(needle) < 0, $"{file} holds the canary");
        }
    }

    /// <summary>Every text and binary column of every table (PostgreSQL: every schema but the catalogs; SQLite: every column).</summary>
    private async Task<(List<string> Hits, int Columns)> SearchDatabaseAsync(PortalDbContext db, string needle)
    {
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        var columns = new List<(string Table, string Column, bool Binary)>();
        var postgres = factory.Provider == DatabaseProvider.Postgres;
        if (postgres)
        {
            await using var list = connection.CreateCommand();
            list.CommandText = "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name), quote_ident(column_name), data_type = 'bytea' FROM information_schema.columns "
                + "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND data_type IN ('text', 'character varying', 'character', 'bytea', 'json', 'jsonb', 'xml', 'ARRAY', 'USER-DEFINED')";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) columns.Add((reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)));
        }
        else
        {
            var tables = new List<string>();
            await using (var list = connection.CreateCommand())
            {
                list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
                await using var reader = await list.ExecuteReaderAsync();
                while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
            }

            foreach (var table in tables)
            {
                await using var info = connection.CreateCommand();
                info.CommandText = $"SELECT name FROM pragma_table_info('{table.Replace("'", "''", StringComparison.Ordinal)}')";
                await using var reader = await info.ExecuteReaderAsync();
                while (await reader.ReadAsync()) columns.Add(("\"" + table + "\"", "\"" + reader.GetString(0) + "\"", false));
            }
        }

        var hits = new List<string>();
        foreach (var (table, column, binary) in columns)
        {
            await using var count = connection.CreateCommand();
            count.CommandText = (postgres, binary) switch
            {
                (true, true) => $"SELECT count(*) FROM {table} WHERE position(convert_to(@needle, 'UTF8') IN {column}) > 0",
                (true, false) => $"SELECT count(*) FROM {table} WHERE strpos({column}::text, @needle) > 0",
                _ => $"SELECT count(*) FROM {table} WHERE instr(CAST({column} AS BLOB), @needle) > 0",
            };
            var parameter = count.CreateParameter();
            parameter.ParameterName = "@needle";
            parameter.Value = postgres ? needle : Encoding.UTF8.GetBytes(needle);
            count.Parameters.Add(parameter);
            if (Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0) hits.Add($"{table}.{column}");
        }

        await connection.CloseAsync();
        return (hits, columns.Count);
    }
}

/// <summary>A factory that keeps every log line the app writes (all levels, exceptions included), for the canary test.</summary>
public interface ILogCapture
{
    ConcurrentQueue<string> Logs { get; }
}

internal sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {state} {exception}");
    }
}

public sealed class DataProtectionPostgresFactory : PortalFactory, ILogCapture
{
    public ConcurrentQueue<string> Logs { get; } = new();

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    protected override async Task<string> CreateDatabaseAsync() => await (await PostgresServer.GetAsync()).CreateDatabaseAsync("portal_test");

    protected override async Task ReleaseDatabaseAsync(string connectionString) => await (await PostgresServer.GetAsync()).DropDatabaseAsync(connectionString);

    protected override void Configure(IWebHostBuilder builder) =>
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new CapturingLoggerProvider(Logs)));
}

public sealed class DataProtectionSqliteFactory : PortalFactory, ILogCapture
{
    public ConcurrentQueue<string> Logs { get; } = new();

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override Task<string> CreateDatabaseAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "portal-sqlite");
        Directory.CreateDirectory(dir);
        return Task.FromResult($"Data Source={Path.Combine(dir, Guid.NewGuid().ToString("N") + ".db")}");
    }

    protected override void Configure(IWebHostBuilder builder) =>
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(new CapturingLoggerProvider(Logs)));
}

public sealed class DataProtectionRelayTestsOnPostgres(DataProtectionPostgresFactory factory, FakeOpenAiUpstream upstream)
    : DataProtectionRelayTests<DataProtectionPostgresFactory>(factory, upstream), IClassFixture<FakeOpenAiUpstream>;

public sealed class DataProtectionRelayTestsOnSqlite(DataProtectionSqliteFactory factory, FakeOpenAiUpstream upstream)
    : DataProtectionRelayTests<DataProtectionSqliteFactory>(factory, upstream), IClassFixture<FakeOpenAiUpstream>;
