using System.Globalization;
using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Catalog;

namespace Portal.Core.Features.Demo;

/// <summary>
/// The relay half of <c>seed-demo</c>: three models with list prices, a Simulator channel serving them, and a fresh
/// API key for the demo tenant. Models and the channel are created once (found again by public id and name; a
/// model an operator edited keeps the operator's prices). The key is new on every run, because a secret can only be
/// shown when it is created; earlier demo keys are left working (someone may have configured a client with one).
/// </summary>
public sealed class DemoCatalog(PortalDbContext db, IApiKeyRules keyRules, AuditLog audit, IRelayCache relayCache, IOptions<PortalOptions> portal, TimeProvider clock)
{
    public const string ChannelName = "Simulator";

    /// <summary>
    /// ¥ per 1M tokens (input, output, cached input, cache write); gpt-4o's are the issue's, the others in proportion to
    /// the upstream's list prices (×8.4, gpt-4o's ratio). Each model is served by the simulator channel of its family.
    /// </summary>
    internal static readonly (string Id, string Name, ModelKind Kind, string Input, string Output, string Cached, string CacheWrite, int Context, int MaxOutput, int Hold, ModelTokenizer Tokenizer, WireFamily Family)[] Models =
    [
        ("gpt-4o", "GPT-4o", ModelKind.Chat, "21", "105", "10.5", "21", 128_000, 16_384, 4_096, ModelTokenizer.O200kBase, WireFamily.OpenAI),
        ("gpt-4o-mini", "GPT-4o mini", ModelKind.Chat, "1.05", "4.2", "0.525", "1.05", 128_000, 16_384, 4_096, ModelTokenizer.O200kBase, WireFamily.OpenAI),
        ("text-embedding-3-small", "Embedding 3 small", ModelKind.Embedding, "0.14", "0", "0", "0.14", 8_191, 1, 1, ModelTokenizer.Cl100kBase, WireFamily.OpenAI),
        ("claude-sonnet-4", "Claude Sonnet 4", ModelKind.Chat, "25.2", "126", "2.52", "31.5", 200_000, 64_000, 8_192, ModelTokenizer.O200kBase, WireFamily.Anthropic),
        // Gemini 2.5 Flash: $0.30 / $2.50 per 1M, cached $0.03; Google bills cache storage, not writes, so a write costs input.
        ("gemini-2.5-flash", "Gemini 2.5 Flash", ModelKind.Chat, "2.52", "21", "0.252", "2.52", 1_048_576, 65_536, 8_192, ModelTokenizer.O200kBase, WireFamily.Gemini),
    ];

    /// <summary>The simulator channel that serves a family's demo models.</summary>
    internal static string ChannelNameFor(WireFamily family) => family == WireFamily.OpenAI ? ChannelName : $"{ChannelName} ({family})";

    /// <summary>Ensures the catalog and issues a key for <paramref name="tenantId"/>; returns the lines to print. Call inside the platform scope.</summary>
    public async Task<IReadOnlyList<string>> SeedAsync(Guid tenantId, Guid ownerUserId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var order = 0;
        foreach (var m in Models)
        {
            order += 10;
            if (await db.AiModels.AnyAsync(x => x.PublicId == m.Id, cancellationToken)) continue;
            CatalogPrices.TryParse(m.Input, out var input);
            CatalogPrices.TryParse(m.Output, out var output);
            CatalogPrices.TryParse(m.Cached, out var cached);
            CatalogPrices.TryParse(m.CacheWrite, out var cacheWrite);
            var model = new AiModel
            {
                Id = Ids.New(),
                PublicId = m.Id,
                DisplayName = m.Name,
                Kind = m.Kind,
                InputPricePerMillionMicroYuan = input,
                OutputPricePerMillionMicroYuan = output,
                CachedInputPricePerMillionMicroYuan = cached,
                CacheWritePricePerMillionMicroYuan = cacheWrite,
                ContextWindow = m.Context,
                MaxOutputTokens = m.MaxOutput,
                DefaultHoldOutputTokens = m.Hold,
                Tokenizer = m.Tokenizer,
                Enabled = true,
                SortOrder = order,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.AiModels.Add(model);
            audit.Add(db, "catalog.model_created", nameof(AiModel), model.Id, LocalizedText.Encode("{0} (seed-demo): input ¥{1}, output ¥{2}, cached input ¥{3}, cache write ¥{4} per 1M tokens", m.Id, m.Input.ToString(CultureInfo.InvariantCulture), m.Output.ToString(CultureInfo.InvariantCulture), m.Cached.ToString(CultureInfo.InvariantCulture), m.CacheWrite.ToString(CultureInfo.InvariantCulture)), null);
        }

        foreach (var family in Models.Select(m => m.Family).Distinct())
            await EnsureChannelAsync(family, now, cancellationToken);

        var secret = keyRules.NewSecret();
        var key = new ApiKey
        {
            Id = Ids.New(),
            TenantId = tenantId,
            Name = $"seed-demo {ChinaTime.Format(now)}",
            Prefix = secret.Prefix,
            SecretHash = secret.Hash,
            Status = ApiKeyStatus.Active,
            CreatedByUserId = ownerUserId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.ApiKeys.Add(key);
        audit.Add(db, "api_keys.created", nameof(ApiKey), key.Id, LocalizedText.Encode("{0} ({1}) by seed-demo", key.Name, key.Prefix), tenantId);
        await db.SaveChangesAsync(cancellationToken);
        relayCache.CatalogChanged();

        var baseUrl = portal.Value.Link("v1");
        return
        [
            $"DEMO_API_KEY={secret.Secret}",
            $"DEMO_BASE_URL={baseUrl}",
            $"curl -sS {baseUrl}/chat/completions -H \"Authorization: Bearer {secret.Secret}\" -H \"Content-Type: application/json\" " +
            "-d '{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"你好，介绍一下你自己\"}]}'",
            // Claude Code appends /v1/messages to ANTHROPIC_BASE_URL itself, so it gets the portal's root.
            $"Claude Code: ANTHROPIC_BASE_URL={baseUrl[..^"/v1".Length]} ANTHROPIC_AUTH_TOKEN={secret.Secret} ANTHROPIC_MODEL=claude-sonnet-4 ANTHROPIC_SMALL_FAST_MODEL=claude-sonnet-4 claude",
            // Codex CLI speaks the Responses API to a custom provider; the key comes from the environment variable env_key names.
            "Codex CLI: add to ~/.codex/config.toml (or $CODEX_HOME/config.toml):",
            "  model = \"gemini-2.5-flash\"",
            "  model_provider = \"portal\"",
            "  [model_providers.portal]",
            "  name = \"Portal\"",
            $"  base_url = \"{baseUrl}\"",
            "  env_key = \"PORTAL_API_KEY\"",
            "  wire_api = \"responses\"",
            $"then: PORTAL_API_KEY={secret.Secret} codex exec \"say hello\"",
        ];
    }

    private async Task EnsureChannelAsync(WireFamily family, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var name = ChannelNameFor(family);
        var channel = await db.Channels.Include(c => c.Models).FirstOrDefaultAsync(c => c.Name == name, cancellationToken);
        if (channel is null)
        {
            channel = new Channel
            {
                Id = Ids.New(),
                Name = name,
                Type = ChannelType.Simulator,
                SimulatorWireFamily = family,
                Priority = 100,
                Weight = 1,
                Enabled = true,
                SimulatorLatencyMs = 150,
                SimulatorTokensPerSecond = 200,
                SimulatorFailurePerMille = 0,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Channels.Add(channel);
            audit.Add(db, "catalog.channel_created", nameof(Channel), channel.Id, LocalizedText.Encode("{0} (seed-demo)", name), null);
        }

        foreach (var m in Models.Where(m => m.Family == family && channel.Models.All(x => x.PublicModelId != m.Id)))
            channel.Models.Add(new ChannelModel { Id = Ids.New(), ChannelId = channel.Id, PublicModelId = m.Id, UpstreamModelId = m.Id });
    }
}
