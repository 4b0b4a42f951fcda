using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Usage;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Catalog;

public abstract class CatalogTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory, IRecordsRelayCache
{
    [Fact]
    public async Task Operator_creates_a_model_with_prices_in_micro_yuan_audited_and_the_relay_is_told()
    {
        var id = RelayAdminArrange.NewModelId("gpt");
        var before = factory.RelayCache.Calls.Count(c => c == "catalog");
        var created = await factory.AsOperatorAsync(s => s.GetRequiredService<CreateModel.Handler>()
            .HandleAsync(RelayAdminArrange.Chat(id, input: "21", output: "105", cached: "10.5")));
        Assert.True(created.IsSuccess, created.Error?.Message);

        await using var db = await factory.DbAsync();
        var model = await db.AiModels.SingleAsync(m => m.PublicId == id);
        Assert.Equal(21_000_000, model.InputPricePerMillionMicroYuan);
        Assert.Equal(105_000_000, model.OutputPricePerMillionMicroYuan);
        Assert.Equal(10_500_000, model.CachedInputPricePerMillionMicroYuan);
        Assert.True(model.Enabled);
        var audit = await db.AuditEntries.IgnoreTenantFilter().SingleAsync(a => a.Action == "catalog.model_created" && a.TargetId == model.Id.ToString());
        Assert.Contains("¥21.00", audit.Summary);
        Assert.Equal(PortalFactory.AdminEmail, audit.Actor);
        Assert.True(factory.RelayCache.Calls.Count(c => c == "catalog") > before);
    }

    [Fact]
    public async Task A_public_id_is_taken_once()
    {
        var id = RelayAdminArrange.NewModelId();
        await factory.ModelAsync(id);
        var again = await factory.AsOperatorAsync(s => s.GetRequiredService<CreateModel.Handler>().HandleAsync(RelayAdminArrange.Chat(id)));
        var invalid = Assert.IsType<ValidationError>(again.Error);
        Assert.Contains("already exists", invalid.Fields["PublicId"][0]);
    }

    [Fact]
    public async Task A_price_change_applies_to_new_requests_only()
    {
        var id = RelayAdminArrange.NewModelId("priced");
        var modelId = await factory.ModelAsync(id, input: "21", output: "105");
        var (owner, tenantId) = await factory.VerifiedTenantAsync("调价测试科技有限公司");
        var key = await factory.KeyAsync(owner.Email);

        // A request already settled at the old prices (written the way settlement writes it).
        await using (var db = await factory.DbAsync())
        {
            db.UsageRecords.Add(new UsageRecord
            {
                Id = Ids.New(),
                TenantId = tenantId,
                ApiKeyId = key.Id,
                RequestId = "req-" + Guid.NewGuid().ToString("N"),
                At = factory.Clock.GetUtcNow(),
                Endpoint = UsageEndpoint.ChatCompletions,
                Model = id,
                InputTokens = 1000,
                OutputTokens = 500,
                InputPricePerMillionMicroYuan = 21_000_000,
                OutputPricePerMillionMicroYuan = 105_000_000,
                CachedInputPricePerMillionMicroYuan = 10_500_000,
                Status = UsageStatus.Failed,
                HttpStatus = 502,
                ClientIp = "203.0.113.7",
            });
            await db.SaveChangesAsync();
        }

        var updated = await factory.AsOperatorAsync(s => s.GetRequiredService<UpdateModel.Handler>().HandleAsync(
            new UpdateModel.Command(modelId, "GPT 调价后", ModelKind.Chat, "25", "120", "12.5", 128_000, 16_384, 4_096, ModelTokenizer.O200kBase)));
        Assert.True(updated.IsSuccess, updated.Error?.Message);

        await using var after = await factory.DbAsync();
        var model = await after.AiModels.SingleAsync(m => m.Id == modelId);
        Assert.Equal(25_000_000, model.InputPricePerMillionMicroYuan);
        Assert.Equal(120_000_000, model.OutputPricePerMillionMicroYuan);
        Assert.Equal(id, model.PublicId);
        var record = await after.UsageRecords.IgnoreTenantFilter().SingleAsync(u => u.Model == id);
        Assert.Equal(21_000_000, record.InputPricePerMillionMicroYuan);
        Assert.Equal(105_000_000, record.OutputPricePerMillionMicroYuan);
        var audit = await after.AuditEntries.IgnoreTenantFilter().SingleAsync(a => a.Action == "catalog.model_prices_changed" && a.TargetId == modelId.ToString());
        Assert.Contains("input ¥21.00 → ¥25.00", audit.Summary);
        Assert.Contains("output ¥105.00 → ¥120.00", audit.Summary);
    }

    [Fact]
    public async Task Disabling_a_model_is_audited_and_hides_it_from_the_key_picker()
    {
        var id = RelayAdminArrange.NewModelId("retired");
        var modelId = await factory.ModelAsync(id);
        var result = await factory.AsOperatorAsync(s => s.GetRequiredService<SetModelEnabled.Handler>().HandleAsync(new SetModelEnabled.Command(modelId, false)));
        Assert.True(result.IsSuccess);

        await using var scope = factory.Scope();
        Assert.DoesNotContain(id, await scope.ServiceProvider.GetRequiredService<CatalogQueries>().ListEnabledModelIdsAsync());
        await using var db = await factory.DbAsync();
        Assert.False((await db.AiModels.SingleAsync(m => m.Id == modelId)).Enabled);
        Assert.True(await db.AuditEntries.IgnoreTenantFilter().AnyAsync(a => a.Action == "catalog.model_disabled" && a.TargetId == modelId.ToString()));
    }

    [Fact]
    public async Task Channel_key_is_encrypted_at_rest_and_only_its_last_4_characters_are_shown()
    {
        var model = RelayAdminArrange.NewModelId("upstream");
        await factory.ModelAsync(model);
        const string upstreamKey = "sk-proj-UpstreamSecretValue-9876";
        var name = "OpenAI " + Guid.NewGuid().ToString("N")[..6];
        var created = await factory.AsOperatorAsync(s => s.GetRequiredService<CreateChannel.Handler>().HandleAsync(new CreateChannel.Command(
            name, ChannelType.OpenAICompatible, "https://api.openai.com/v1/", upstreamKey, 0, 3, true, [new ChannelModelMapping(model, model + "-2024-08-06")])));
        Assert.True(created.IsSuccess, created.Error?.Message);

        await using (var db = await factory.DbAsync())
        {
            var stored = await db.Channels.AsNoTracking().Include(c => c.Models).SingleAsync(c => c.Id == created.Value);
            Assert.NotNull(stored.ApiKeyProtected);
            Assert.DoesNotContain(upstreamKey, stored.ApiKeyProtected);
            Assert.DoesNotContain("UpstreamSecretValue", stored.ApiKeyProtected);
            Assert.Equal("9876", stored.ApiKeyLast4);
            Assert.Equal("https://api.openai.com/v1", stored.BaseUrl);
            Assert.Equal(model + "-2024-08-06", Assert.Single(stored.Models).UpstreamModelId);
            await using var scope = factory.Scope();
            Assert.Equal(upstreamKey, scope.ServiceProvider.GetRequiredService<ChannelSecrets>().Unprotect(stored.ApiKeyProtected));
            Assert.DoesNotContain(await db.AuditEntries.IgnoreTenantFilter().Select(a => a.Summary).ToListAsync(), s => s.Contains("UpstreamSecretValue", StringComparison.Ordinal));
        }

        await using (var scope = factory.Scope())
        {
            var row = (await scope.ServiceProvider.GetRequiredService<CatalogQueries>().ListChannelsAsync()).Single(c => c.Id == created.Value);
            Assert.Equal("9876", row.ApiKeyLast4);
        }

        // Editing without a new key keeps it; a new key replaces it and is audited by its last 4 characters only.
        var kept = await factory.AsOperatorAsync(s => s.GetRequiredService<UpdateChannel.Handler>().HandleAsync(new UpdateChannel.Command(
            created.Value, name, ChannelType.OpenAICompatible, "https://api.openai.com/v1", 1, 3, [new ChannelModelMapping(model, null)])));
        Assert.True(kept.IsSuccess, kept.Error?.Message);
        var replaced = await factory.AsOperatorAsync(s => s.GetRequiredService<UpdateChannel.Handler>().HandleAsync(new UpdateChannel.Command(
            created.Value, name, ChannelType.OpenAICompatible, "https://api.openai.com/v1", 1, 3, [new ChannelModelMapping(model, null)], NewApiKey: "sk-second-key-5555")));
        Assert.True(replaced.IsSuccess, replaced.Error?.Message);

        await using var after = await factory.DbAsync();
        var channel = await after.Channels.AsNoTracking().Include(c => c.Models).SingleAsync(c => c.Id == created.Value);
        Assert.Equal("5555", channel.ApiKeyLast4);
        Assert.Equal(1, channel.Priority);
        Assert.Equal(model, Assert.Single(channel.Models).UpstreamModelId);
        var keyAudit = await after.AuditEntries.IgnoreTenantFilter().SingleAsync(a => a.Action == "catalog.channel_key_replaced" && a.TargetId == channel.Id.ToString());
        Assert.Contains("••••9876 → ••••5555", Portal.Core.Localization.LocalizedText.English(keyAudit.Summary));
        Assert.DoesNotContain("sk-second-key", keyAudit.Summary);
        Assert.True(await after.AuditEntries.IgnoreTenantFilter().AnyAsync(a => a.Action == "catalog.channel_updated" && a.TargetId == channel.Id.ToString()));
    }

    [Theory]
    [InlineData(ChannelType.Anthropic, "https://api.anthropic.com")]
    [InlineData(ChannelType.Gemini, "https://generativelanguage.googleapis.com")]
    [InlineData(ChannelType.AzureOpenAI, "https://my-resource.openai.azure.com")]
    public async Task Every_upstream_channel_type_keeps_the_key_it_was_created_with(ChannelType type, string baseUrl)
    {
        var model = RelayAdminArrange.NewModelId("typed");
        await factory.ModelAsync(model);
        var upstreamKey = $"key-{type}-{Guid.NewGuid():N}"[..30] + "4321";
        var created = await factory.AsOperatorAsync(s => s.GetRequiredService<CreateChannel.Handler>().HandleAsync(new CreateChannel.Command(
            type + " " + Guid.NewGuid().ToString("N")[..6], type, baseUrl, upstreamKey, 0, 1, true, [new ChannelModelMapping(model, null)],
            AzureApiVersion: type == ChannelType.AzureOpenAI ? "2024-10-21" : null)));
        Assert.True(created.IsSuccess, created.Error?.Message);

        await using var db = await factory.DbAsync();
        var stored = await db.Channels.AsNoTracking().SingleAsync(c => c.Id == created.Value);
        Assert.Equal("4321", stored.ApiKeyLast4);
        await using var scope = factory.Scope();
        Assert.Equal(upstreamKey, scope.ServiceProvider.GetRequiredService<ChannelSecrets>().Unprotect(stored.ApiKeyProtected!));
    }

    [Fact]
    public async Task Simulator_channel_keeps_its_settings_and_refuses_unknown_models()
    {
        var model = RelayAdminArrange.NewModelId("sim");
        await factory.ModelAsync(model);
        var name = "模拟器 " + Guid.NewGuid().ToString("N")[..6];
        var unknown = await factory.AsOperatorAsync(s => s.GetRequiredService<CreateChannel.Handler>().HandleAsync(new CreateChannel.Command(
            name, ChannelType.Simulator, null, null, 0, 1, true, [new ChannelModelMapping("no-such-model", null)])));
        Assert.Contains("no-such-model", Assert.IsType<ValidationError>(unknown.Error).Fields["Models"][0]);

        var created = await factory.AsOperatorAsync(s => s.GetRequiredService<CreateChannel.Handler>().HandleAsync(new CreateChannel.Command(
            name, ChannelType.Simulator, "https://ignored.example", "ignored-key", 0, 1, true, [new ChannelModelMapping(model, null)],
            SimulatorLatencyMs: 250, SimulatorTokensPerSecond: 40, SimulatorFailurePerMille: 125)));
        Assert.True(created.IsSuccess, created.Error?.Message);
        var duplicate = await factory.AsOperatorAsync(s => s.GetRequiredService<CreateChannel.Handler>().HandleAsync(new CreateChannel.Command(
            name, ChannelType.Simulator, null, null, 0, 1, true, [new ChannelModelMapping(model, null)])));
        Assert.Contains("Name", Assert.IsType<ValidationError>(duplicate.Error).Fields.Keys);

        var disabled = await factory.AsOperatorAsync(s => s.GetRequiredService<SetChannelEnabled.Handler>().HandleAsync(new SetChannelEnabled.Command(created.Value, false)));
        Assert.True(disabled.IsSuccess);

        await using var db = await factory.DbAsync();
        var channel = await db.Channels.AsNoTracking().SingleAsync(c => c.Id == created.Value);
        Assert.Equal((250, 40, 125), (channel.SimulatorLatencyMs, channel.SimulatorTokensPerSecond, channel.SimulatorFailurePerMille));
        Assert.Null(channel.BaseUrl);
        Assert.Null(channel.ApiKeyProtected);
        Assert.False(channel.Enabled);
        Assert.True(await db.AuditEntries.IgnoreTenantFilter().AnyAsync(a => a.Action == "catalog.channel_disabled" && a.TargetId == channel.Id.ToString()));
    }

    [Fact]
    public async Task Only_platform_admins_change_the_catalog()
    {
        var tenant = await PortalClient.SignUpAsync(factory, "越权测试科技有限公司");
        var id = RelayAdminArrange.NewModelId("forbidden");
        var refused = await factory.AsUserAsync(tenant.Email, s => s.GetRequiredService<CreateModel.Handler>().HandleAsync(RelayAdminArrange.Chat(id)));
        Assert.Equal(CatalogErrors.AdminsOnly, refused.Error);
        var channel = await factory.AsUserAsync(tenant.Email, s => s.GetRequiredService<CreateChannel.Handler>().HandleAsync(new CreateChannel.Command(
            "x", ChannelType.Simulator, null, null, 0, 1, true, [new ChannelModelMapping("gpt-4o", null)])));
        Assert.Equal(CatalogErrors.AdminsOnly, channel.Error);
        await using var db = await factory.DbAsync();
        Assert.False(await db.AiModels.AnyAsync(m => m.PublicId == id));
    }
}

public sealed class CatalogTestsOnPostgres(RelayAdminPostgresFactory factory) : CatalogTests<RelayAdminPostgresFactory>(factory);

public sealed class CatalogTestsOnSqlite(RelayAdminSqliteFactory factory) : CatalogTests<RelayAdminSqliteFactory>(factory);
