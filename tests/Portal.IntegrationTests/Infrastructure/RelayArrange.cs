using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Usage;
using Portal.Relay.Keys;
using Portal.Relay.Settlement;

namespace Portal.IntegrationTests.Infrastructure;

/// <summary>One upstream channel to create for a model.</summary>
public sealed record ChannelSpec(string Name, ChannelType Type, string? BaseUrl = null, int Priority = 0, int Weight = 1, string UpstreamModelId = "",
    int FirstByteTimeoutMs = 10_000, int SimulatorFailurePerMille = 0, WireFamily SimulatorWireFamily = WireFamily.OpenAI, ChannelRegion Region = ChannelRegion.Domestic);

/// <summary>
/// Arranges the relay's catalog and keys directly through the DbContext (the catalog and key use cases belong to
/// another feature), then tells the relay's caches, as those use cases do.
/// </summary>
public static class RelayArrange
{
    /// <summary>An enabled model with the given prices (micro-yuan per 1M tokens) served by <paramref name="channels"/>.</summary>
    public static async Task<string> ModelAsync(this PortalFactory factory, string publicId, ModelKind kind, long inputPrice, long outputPrice, params ChannelSpec[] channels)
    {
        await using var scope = factory.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var secrets = scope.ServiceProvider.GetRequiredService<ChannelSecrets>();
        var now = factory.Clock.GetUtcNow();
        db.AiModels.Add(new AiModel
        {
            Id = Ids.New(),
            PublicId = publicId,
            DisplayName = publicId,
            Kind = kind,
            InputPricePerMillionMicroYuan = inputPrice,
            OutputPricePerMillionMicroYuan = outputPrice,
            CachedInputPricePerMillionMicroYuan = inputPrice / 2,
            ContextWindow = 128_000,
            MaxOutputTokens = 16_384,
            DefaultHoldOutputTokens = 1_000,
            Tokenizer = ModelTokenizer.O200kBase,
            Enabled = true,
            CreatedAt = now,
            UpdatedAt = now,
        });
        foreach (var spec in channels)
        {
            var channel = new Channel
            {
                Id = Ids.New(),
                Name = spec.Name + "-" + Guid.NewGuid().ToString("N")[..6],
                Type = spec.Type,
                BaseUrl = spec.BaseUrl,
                ApiKeyProtected = spec.Type switch
                {
                    ChannelType.OpenAICompatible => secrets.Protect(FakeOpenAiUpstream.UpstreamKey),
                    ChannelType.Anthropic => secrets.Protect(FakeAnthropicUpstream.UpstreamKey),
                    _ => null,
                },
                ApiKeyLast4 = spec.Type == ChannelType.OpenAICompatible ? ChannelSecrets.Last4(FakeOpenAiUpstream.UpstreamKey) : null,
                SimulatorWireFamily = spec.SimulatorWireFamily,
                Region = spec.Region,
                Priority = spec.Priority,
                Weight = spec.Weight,
                Enabled = true,
                ConnectTimeoutMs = 2_000,
                FirstByteTimeoutMs = spec.FirstByteTimeoutMs,
                SimulatorFailurePerMille = spec.SimulatorFailurePerMille,
                CreatedAt = now,
                UpdatedAt = now,
            };
            channel.Models.Add(new ChannelModel { Id = Ids.New(), ChannelId = channel.Id, PublicModelId = publicId, UpstreamModelId = spec.UpstreamModelId.Length > 0 ? spec.UpstreamModelId : publicId });
            db.Channels.Add(channel);
        }

        await db.SaveChangesAsync();
        scope.ServiceProvider.GetRequiredService<IRelayCache>().CatalogChanged();
        return publicId;
    }

    /// <summary>Issues an active key for the tenant and returns its secret.</summary>
    public static async Task<(string Secret, Guid KeyId)> KeyAsync(this PortalFactory factory, Guid tenantId, Action<ApiKey>? configure = null)
    {
        var secret = ApiKeyFormat.Generate();
        await using var scope = factory.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        using var platform = db.EnterPlatformScope();
        var now = factory.Clock.GetUtcNow();
        var ownerId = await db.Memberships.IgnoreTenantFilter().Where(m => m.TenantId == tenantId).Select(m => m.UserId).FirstAsync();
        var key = new ApiKey
        {
            Id = Ids.New(),
            TenantId = tenantId,
            Name = "test key",
            Prefix = ApiKeyFormat.Prefix(secret)[..Math.Min(16, ApiKeyFormat.Prefix(secret).Length)],
            SecretHash = ApiKeyFormat.Hash(secret),
            Status = ApiKeyStatus.Active,
            CreatedByUserId = ownerId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        configure?.Invoke(key);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync();
        return (secret, key.Id);
    }

    /// <summary>Changes a key in the database and tells the relay, as the key use cases do.</summary>
    public static async Task UpdateKeyAsync(this PortalFactory factory, Guid keyId, Action<ApiKey> change, bool notifyRelay = true)
    {
        await using var scope = factory.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        using var platform = db.EnterPlatformScope();
        var key = await db.ApiKeys.IgnoreTenantFilter().SingleAsync(k => k.Id == keyId);
        change(key);
        await db.SaveChangesAsync();
        if (notifyRelay) scope.ServiceProvider.GetRequiredService<IRelayCache>().KeyChanged(key.SecretHash);
    }

    /// <summary>A client of the app's /v1 with the key as a bearer token (none when null).</summary>
    public static HttpClient RelayClient(this PortalFactory factory, string? secret, string? clientIp = null)
    {
        var http = factory.CreateClient();
        if (secret is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        if (clientIp is not null) http.DefaultRequestHeaders.Add(TestClientIp.Header, clientIp);
        return http;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static string ChatRequest(string model, string content = "Say hello", bool stream = false, int? maxTokens = null, bool includeUsage = false) =>
        "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]"
        + (maxTokens is { } max ? ",\"max_tokens\":" + max : "")
        + (stream ? ",\"stream\":true" : "")
        + (includeUsage ? ",\"stream_options\":{\"include_usage\":true}" : "")
        + ",\"temperature\":0.2,\"x_client_extension\":{\"a\":[1,2]}}";

    /// <summary>Waits until the settlement writer has written everything settled so far.</summary>
    public static async Task SettleAsync(this PortalFactory factory)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await factory.Services.GetRequiredService<SettlementWriter>().FlushAsync(timeout.Token);
    }

    public static async Task<List<UsageRecord>> UsageAsync(this PortalFactory factory, Guid tenantId)
    {
        await using var db = await factory.DbAsync();
        return await db.UsageRecords.IgnoreTenantFilter().AsNoTracking().Where(u => u.TenantId == tenantId).OrderBy(u => u.At).ThenBy(u => u.Id).ToListAsync();
    }

    public static async Task<Portal.Core.Features.Wallet.Wallet> WalletRowAsync(this PortalFactory factory, Guid tenantId)
    {
        await using var db = await factory.DbAsync();
        return await db.Wallets.IgnoreTenantFilter().AsNoTracking().SingleAsync(w => w.TenantId == tenantId);
    }

    /// <summary>The app's own invariant (Balance = Σ ledger − Σ usage charges), spelled out as well.</summary>
    public static async Task AssertUsageInvariantAsync(this PortalFactory factory, Guid tenantId)
    {
        await factory.SettleAsync();
        await using var scope = factory.Scope();
        await using var db = await factory.DbAsync();
        var wallet = await db.Wallets.IgnoreTenantFilter().AsNoTracking().SingleAsync(w => w.TenantId == tenantId);
        var check = await scope.ServiceProvider.GetRequiredService<Portal.Core.Features.Wallet.LedgerInvariant>().CheckAsync(wallet.Id);
        Assert.True(check is { Holds: true }, $"balance {check?.Balance} but ledger says {check?.Expected}");
        var ledger = await db.LedgerEntries.IgnoreTenantFilter().Where(e => e.TenantId == tenantId).SumAsync(e => (long?)e.AmountMicroYuan) ?? 0;
        var charged = await db.UsageRecords.IgnoreTenantFilter().Where(u => u.TenantId == tenantId).SumAsync(u => (long?)u.WalletChargedMicroYuan) ?? 0;
        Assert.Equal(ledger - charged, wallet.BalanceMicroYuan);
    }

    /// <summary>Reserved equals the sum of the wallet's leases: nothing is reserved that no lease accounts for.</summary>
    public static async Task AssertReservedMatchesLeasesAsync(this PortalFactory factory, Guid tenantId)
    {
        await using var db = await factory.DbAsync();
        var wallet = await db.Wallets.IgnoreTenantFilter().AsNoTracking().SingleAsync(w => w.TenantId == tenantId);
        var leased = await db.WalletLeases.AsNoTracking().Where(l => l.WalletId == wallet.Id).SumAsync(l => (long?)l.AmountMicroYuan) ?? 0;
        Assert.Equal(leased, wallet.ReservedMicroYuan);
    }
}

/// <summary>
/// Test-only: TestServer has no socket, so a test names the client's address in a header and this filter sets it as
/// the connection's remote address (the IP allowlist reads that).
/// </summary>
public sealed class TestClientIp : IStartupFilter
{
    public const string Header = "X-Test-Client-Ip";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.Headers.TryGetValue(Header, out var value) && System.Net.IPAddress.TryParse(value.ToString(), out var address))
                context.Connection.RemoteIpAddress = address;
            return nextMiddleware(context);
        });
        next(app);
    };
}
