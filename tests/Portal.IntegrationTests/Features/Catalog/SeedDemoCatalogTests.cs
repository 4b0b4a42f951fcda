using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Demo;
using Portal.Core.Features.Kyc;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Catalog;

public abstract class SeedDemoCatalogTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Fact]
    public async Task Seed_demo_twice_makes_one_simulator_channel_per_wire_format_with_its_models_and_a_working_key_each_time()
    {
        IReadOnlyList<string> first, second;
        await using (var scope = factory.Scope()) first = await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync();
        await using (var scope = factory.Scope()) second = await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync();

        foreach (var lines in new[] { first, second })
        {
            var key = Assert.Single(lines, l => l.StartsWith("DEMO_API_KEY=", StringComparison.Ordinal))["DEMO_API_KEY=".Length..];
            Assert.Matches("^sk-cn-[0-9A-Za-z]{48}$", key);
            Assert.Contains("DEMO_BASE_URL=http://localhost/v1", lines);
            var curl = Assert.Single(lines, l => l.StartsWith("curl ", StringComparison.Ordinal));
            Assert.Contains("http://localhost/v1/chat/completions", curl);
            Assert.Contains($"Authorization: Bearer {key}", curl);
            Assert.Contains("\"model\":\"gpt-4o\"", curl);
            // How to point Codex CLI at the portal: a custom provider speaking the Responses API, the key from the environment.
            Assert.Contains("  wire_api = \"responses\"", lines);
            Assert.Contains("  base_url = \"http://localhost/v1\"", lines);
            Assert.Contains("  env_key = \"PORTAL_API_KEY\"", lines);
            Assert.Contains($"then: PORTAL_API_KEY={key} codex exec \"say hello\"", lines);
        }

        await using var db = await factory.DbAsync();
        var channel = Assert.Single(await db.Channels.Include(c => c.Models).Where(c => c.Name == DemoCatalog.ChannelName).ToListAsync());
        Assert.Equal(ChannelType.Simulator, channel.Type);
        Assert.True(channel.Enabled);
        Assert.Equal(["gpt-4o", "gpt-4o-mini", "text-embedding-3-small"], channel.Models.Select(m => m.PublicModelId).Order());
        var gemini = Assert.Single(await db.Channels.Include(c => c.Models).Where(c => c.SimulatorWireFamily == WireFamily.Gemini).ToListAsync());
        Assert.Equal(ChannelType.Simulator, gemini.Type);
        Assert.Equal("gemini-2.5-flash", Assert.Single(gemini.Models).PublicModelId);
        var flash = await db.AiModels.SingleAsync(m => m.PublicId == "gemini-2.5-flash");
        Assert.Equal((2_520_000L, 21_000_000L, 252_000L), (flash.InputPricePerMillionMicroYuan, flash.OutputPricePerMillionMicroYuan, flash.CachedInputPricePerMillionMicroYuan));

        var models = await db.AiModels.Where(m => m.PublicId.StartsWith("gpt-4o") || m.PublicId == "text-embedding-3-small").ToListAsync();
        Assert.Equal(3, models.Count);
        var gpt4o = models.Single(m => m.PublicId == "gpt-4o");
        Assert.Equal((21_000_000L, 105_000_000L), (gpt4o.InputPricePerMillionMicroYuan, gpt4o.OutputPricePerMillionMicroYuan));
        Assert.Equal(ModelKind.Embedding, models.Single(m => m.PublicId == "text-embedding-3-small").Kind);
        Assert.All(models, m => Assert.True(m.Enabled));

        // claude-sonnet-4 on a simulator channel that answers in Anthropic's format, with a cache-write price.
        var claude = await db.AiModels.SingleAsync(m => m.PublicId == "claude-sonnet-4");
        Assert.Equal((25_200_000L, 126_000_000L, 2_520_000L, 31_500_000L), (claude.InputPricePerMillionMicroYuan, claude.OutputPricePerMillionMicroYuan,
            claude.CachedInputPricePerMillionMicroYuan, claude.CacheWritePricePerMillionMicroYuan ?? 0));
        var claudeChannel = await db.Channels.Include(c => c.Models).SingleAsync(c => c.Models.Any(m => m.PublicModelId == "claude-sonnet-4"));
        Assert.Equal((ChannelType.Simulator, WireFamily.Anthropic), (claudeChannel.Type, claudeChannel.SimulatorWireFamily));
        Assert.All(new[] { first, second }, lines => Assert.Single(lines, l => l.StartsWith("Claude Code: ANTHROPIC_BASE_URL=http://localhost ANTHROPIC_AUTH_TOKEN=sk-cn-", StringComparison.Ordinal)));

        // Each printed key is an active key of the demo tenant, stored by its hash; the first one still works.
        var demoTenant = await db.Tenants.SingleAsync(t => t.Name == "演示科技有限公司");
        foreach (var lines in new[] { first, second })
        {
            var secret = lines.Single(l => l.StartsWith("DEMO_API_KEY=", StringComparison.Ordinal))["DEMO_API_KEY=".Length..];
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
            var key = await db.ApiKeys.IgnoreTenantFilter().SingleAsync(k => k.SecretHash == hash);
            Assert.Equal(demoTenant.Id, key.TenantId);
            Assert.Equal(ApiKeyStatus.Active, key.Status);
        }

        await using var scope2 = factory.Scope();
        Assert.Null(await scope2.ServiceProvider.GetRequiredService<IKycGate>().CheckAsync(demoTenant.Id));
    }
}

public sealed class SeedDemoCatalogTestsOnPostgres(PostgresPortalFactory factory) : SeedDemoCatalogTests<PostgresPortalFactory>(factory);

public sealed class SeedDemoCatalogTestsOnSqlite(SqlitePortalFactory factory) : SeedDemoCatalogTests<SqlitePortalFactory>(factory);
