using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Usage;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Relay;

/// <summary>
/// What Claude Code and Codex CLI send, as they send it, against a model of each wire family (the Anthropic simulator
/// passes /v1/messages through, the others translate; Responses is translated everywhere here): accepted, answered to
/// the end of the stream with usage, and charged.
/// </summary>
public abstract class CodingToolRequestTests<TFactory>(TFactory factory) : IClassFixture<TFactory>
    where TFactory : PortalFactory
{
    /// <summary>Claude Code's shape: <c>?beta=true</c>, streaming, system blocks with cache_control, thinking, context_management, a dozen-style tool list without <c>type</c>, max_tokens 32000.</summary>
    private const string ClaudeCodeBody = """
        {"model":"__MODEL__","max_tokens":32000,"stream":true,
         "system":[{"type":"text","text":"You are Claude Code, Anthropic's official CLI for Claude.","cache_control":{"type":"ephemeral"}},{"type":"text","text":"Working directory: /tmp/project","cache_control":{"type":"ephemeral"}}],
         "messages":[{"role":"user","content":[{"type":"text","text":"<system-reminder>As you answer, keep it short.</system-reminder>"},{"type":"text","text":"What does this project do?","cache_control":{"type":"ephemeral"}}]}],
         "thinking":{"type":"enabled","budget_tokens":1024},
         "context_management":{"edits":[{"type":"clear_thinking_20251015","keep":"all"}]},
         "tools":[{"name":"Bash","description":"Run a shell command","input_schema":{"type":"object","properties":{"command":{"type":"string"}},"required":["command"],"additionalProperties":false,"$schema":"http://json-schema.org/draft-07/schema#"}},
                  {"name":"Read","description":"Read a file","input_schema":{"type":"object","properties":{"file_path":{"type":"string"}},"required":["file_path"]}},
                  {"name":"Glob","description":"Find files","input_schema":{"type":"object","properties":{"pattern":{"type":"string"}},"required":["pattern"]}}],
         "tool_choice":{"type":"auto"},
         "metadata":{"user_id":"user_abc_account__session_123"}}
        """;

    /// <summary>Codex CLI's shape: one streaming call, store false, include, reasoning, prompt_cache_key, client_metadata, a developer message, hosted tools besides a function.</summary>
    private const string CodexBody = """
        {"model":"__MODEL__","instructions":"You are Codex, a coding agent.","stream":true,"store":false,
         "input":[{"type":"message","role":"developer","content":[{"type":"input_text","text":"<permissions instructions>workspace-write</permissions instructions>"}]},
                  {"type":"message","role":"user","content":[{"type":"input_text","text":"<environment_context><cwd>/tmp/project</cwd></environment_context>"}]},
                  {"type":"message","role":"user","content":[{"type":"input_text","text":"list the files in this directory"}]}],
         "tools":[{"type":"function","name":"shell","description":"Runs a shell command","strict":false,"parameters":{"type":"object","properties":{"command":{"type":"array","items":{"type":"string"}}},"required":["command"],"additionalProperties":false}},
                  {"type":"web_search"}],
         "tool_choice":"auto","parallel_tool_calls":false,
         "reasoning":{"effort":"medium","summary":"auto"},"include":["reasoning.encrypted_content"],
         "prompt_cache_key":"0199f2c1-5d0e-7f53-a0e4-0d1c2e3f4a5b","client_metadata":{"x-codex-turn-metadata":"1"},"text":{"verbosity":"medium"}}
        """;

    [Fact]
    public async Task Claude_code_and_codex_requests_are_accepted_on_every_family_streamed_to_the_end_and_charged()
    {
        var (_, tenantId) = await factory.VerifiedTenantAsync();
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(100))).IsSuccess);
        var (secret, _) = await factory.KeyAsync(tenantId);
        using var http = factory.RelayClient(secret); // Authorization: Bearer, as the Anthropic SDKs send by default

        var families = new[] { WireFamily.Anthropic, WireFamily.OpenAI, WireFamily.Gemini };
        foreach (var family in families)
        {
            var model = await factory.ModelAsync($"tool-{family}-{Guid.NewGuid():N}"[..24].ToLowerInvariant(), ModelKind.Chat, 3_000_000, 15_000_000,
                new ChannelSpec("tool", ChannelType.Simulator, SimulatorWireFamily: family));

            using var claude = new HttpRequestMessage(HttpMethod.Post, "/v1/messages?beta=true") { Content = RelayArrange.Json(ClaudeCodeBody.Replace("__MODEL__", model)) };
            claude.Headers.Add("anthropic-version", "2023-06-01");
            claude.Headers.Add("anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14,context-management-2025-06-27");
            claude.Headers.Add("x-app", "cli");
            using var claudeAnswer = await http.SendAsync(claude);
            var claudeStream = await claudeAnswer.Content.ReadAsStringAsync();
            Assert.True(claudeAnswer.StatusCode == HttpStatusCode.OK, $"{family}: {claudeStream}");
            Assert.StartsWith("event: message_start", claudeStream, StringComparison.Ordinal);
            Assert.Contains("event: message_delta", claudeStream, StringComparison.Ordinal);
            Assert.Contains("\"output_tokens\":", claudeStream, StringComparison.Ordinal);
            Assert.EndsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", claudeStream, StringComparison.Ordinal);

            using var codexAnswer = await http.PostAsync("/v1/responses", RelayArrange.Json(CodexBody.Replace("__MODEL__", model)));
            var codexStream = await codexAnswer.Content.ReadAsStringAsync();
            Assert.True(codexAnswer.StatusCode == HttpStatusCode.OK, $"{family}: {codexStream}");
            Assert.StartsWith("event: response.created", codexStream, StringComparison.Ordinal);
            var completed = codexStream.Split("\n\n").Single(e => e.StartsWith("event: response.completed", StringComparison.Ordinal));
            var usage = JsonDocument.Parse(completed[(completed.IndexOf("data: ", StringComparison.Ordinal) + 6)..]).RootElement.GetProperty("response").GetProperty("usage");
            Assert.True(usage.GetProperty("input_tokens").GetInt32() > 0 && usage.GetProperty("output_tokens").GetInt32() > 0, completed);
        }

        await factory.SettleAsync();
        var records = await factory.UsageAsync(tenantId);
        Assert.Equal(families.Length * 2, records.Count);
        Assert.All(records, r => Assert.True(r.Status == UsageStatus.Succeeded && r.CostMicroYuan > 0 && r.Stream, $"{r.Endpoint} {r.Status} {r.CostMicroYuan}"));
        Assert.Equal(families.Length, records.Count(r => r.Endpoint == UsageEndpoint.Messages));
        Assert.Equal(families.Length, records.Count(r => r.Endpoint == UsageEndpoint.Responses));
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task The_anthropic_model_list_shows_the_operators_display_name()
    {
        var (_, tenantId) = await factory.VerifiedTenantAsync();
        var (secret, _) = await factory.KeyAsync(tenantId);
        var model = await factory.ModelAsync($"claude-list-{Guid.NewGuid():N}"[..20], ModelKind.Chat, 3_000_000, 15_000_000,
            new ChannelSpec("list", ChannelType.Simulator, SimulatorWireFamily: WireFamily.Anthropic));
        await using (var db = await factory.DbAsync())
            await db.AiModels.Where(m => m.PublicId == model).ExecuteUpdateAsync(u => u.SetProperty(m => m.DisplayName, "Claude Sonnet 4"));
        factory.Services.GetRequiredService<IRelayCache>().CatalogChanged();

        using var http = factory.RelayClient(secret);
        http.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        using var list = JsonDocument.Parse(await http.GetStringAsync("/v1/models"));
        var entry = list.RootElement.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == model);
        Assert.Equal("Claude Sonnet 4", entry.GetProperty("display_name").GetString());
        Assert.Equal("model", entry.GetProperty("type").GetString());
    }
}

public sealed class CodingToolRequestTestsOnPostgres(PostgresPortalFactory factory) : CodingToolRequestTests<PostgresPortalFactory>(factory);

public sealed class CodingToolRequestTestsOnSqlite(SqlitePortalFactory factory) : CodingToolRequestTests<SqlitePortalFactory>(factory);
