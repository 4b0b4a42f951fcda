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

    /// <summary>¥ per 1M tokens (input, output, cached input); gpt-4o's are the issue's, the others in proportion to the upstream's list prices.</summary>
    internal static readonly (string Id, string Name, ModelKind Kind, string Input, string Output, string Cached, int Context, int MaxOutput, int Hold, ModelTokenizer Tokenizer)[] Models =
    [
        ("gpt-4o", "GPT-4o", ModelKind.Chat, "21", "105", "10.5", 128_000, 16_384, 4_096, ModelTokenizer.O200kBase),
        ("gpt-4o-mini", "GPT-4o mini", ModelKind.Chat, "1.05", "4.2", "0.525", 128_000, 16_384, 4_096, ModelTokenizer.O200kBase),
        ("text-embedding-3-small", "Embedding 3 small", ModelKind.Embedding, "0.14", "0", "0", 8_191, 1, 1, ModelTokenizer.Cl100kBase),
    ];

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
            var model = new AiModel
            {
                Id = Ids.New(),
                PublicId = m.Id,
                DisplayName = m.Name,
                Kind = m.Kind,
                InputPricePerMillionMicroYuan = input,
                OutputPricePerMillionMicroYuan = output,
                CachedInputPricePerMillionMicroYuan = cached,
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
            audit.Add(db, "catalog.model_created", nameof(AiModel), model.Id, $"{m.Id} (seed-demo): input ¥{m.Input}, output ¥{m.Output}, cached input ¥{m.Cached} per 1M tokens", null);
        }

        var channel = await db.Channels.Include(c => c.Models).FirstOrDefaultAsync(c => c.Name == ChannelName, cancellationToken);
        if (channel is null)
        {
            channel = new Channel
            {
                Id = Ids.New(),
                Name = ChannelName,
                Type = ChannelType.Simulator,
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
            audit.Add(db, "catalog.channel_created", nameof(Channel), channel.Id, "Simulator (seed-demo)", null);
        }

        foreach (var m in Models.Where(m => channel.Models.All(x => x.PublicModelId != m.Id)))
            channel.Models.Add(new ChannelModel { Id = Ids.New(), ChannelId = channel.Id, PublicModelId = m.Id, UpstreamModelId = m.Id });

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
        audit.Add(db, "api_keys.created", nameof(ApiKey), key.Id, $"{key.Name} ({key.Prefix}) by seed-demo", tenantId);
        await db.SaveChangesAsync(cancellationToken);
        relayCache.CatalogChanged();

        var baseUrl = portal.Value.Link("v1");
        return
        [
            $"DEMO_API_KEY={secret.Secret}",
            $"DEMO_BASE_URL={baseUrl}",
            $"curl -sS {baseUrl}/chat/completions -H \"Authorization: Bearer {secret.Secret}\" -H \"Content-Type: application/json\" " +
            "-d '{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"你好，介绍一下你自己\"}]}'",
        ];
    }
}
