using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Catalog;

public sealed record ModelRow(
    Guid Id,
    string PublicId,
    string DisplayName,
    ModelKind Kind,
    long InputPricePerMillionMicroYuan,
    long OutputPricePerMillionMicroYuan,
    long CachedInputPricePerMillionMicroYuan,
    int ContextWindow,
    int MaxOutputTokens,
    int DefaultHoldOutputTokens,
    ModelTokenizer Tokenizer,
    bool Enabled,
    int SortOrder,
    DateTimeOffset UpdatedAt,
    long? CacheWritePricePerMillionMicroYuan,
    bool SupportsTools,
    bool SupportsVision,
    bool SupportsJsonMode);

/// <summary>A model as visitors see it: prices per million tokens.</summary>
public sealed record PublicModel(string PublicId, string DisplayName, ModelKind Kind, Money InputPerMillion, Money OutputPerMillion, Money CachedInputPerMillion, int ContextWindow);

public sealed record ChannelMappingRow(string PublicModelId, string UpstreamModelId);

/// <summary>A channel as the operator page shows it: never the key itself, only whether there is one and its last 4 characters.</summary>
public sealed record ChannelRow(
    Guid Id,
    string Name,
    ChannelType Type,
    string? BaseUrl,
    string? ApiKeyLast4,
    int Priority,
    int Weight,
    bool Enabled,
    int ConnectTimeoutMs,
    int FirstByteTimeoutMs,
    int SimulatorLatencyMs,
    int SimulatorTokensPerSecond,
    int SimulatorFailurePerMille,
    IReadOnlyList<ChannelMappingRow> Models,
    DateTimeOffset UpdatedAt,
    bool SupportsResponsesApi,
    string? AzureApiVersion,
    WireFamily SimulatorWireFamily,
    ChannelRegion Region = ChannelRegion.Domestic,
    string? ProviderCountry = null);

/// <summary>
/// Reads of the catalog. Models and channels are platform data (not tenant-owned); the operator pages are behind
/// the PlatformAdmin policy, and tenants only ever see <see cref="ListEnabledModelIdsAsync"/>.
/// </summary>
public sealed class CatalogQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    public async Task<IReadOnlyList<ModelRow>> ListModelsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AiModels.AsNoTracking()
            .OrderBy(m => m.SortOrder).ThenBy(m => m.PublicId)
            .Select(m => new ModelRow(m.Id, m.PublicId, m.DisplayName, m.Kind, m.InputPricePerMillionMicroYuan, m.OutputPricePerMillionMicroYuan,
                m.CachedInputPricePerMillionMicroYuan, m.ContextWindow, m.MaxOutputTokens, m.DefaultHoldOutputTokens, m.Tokenizer, m.Enabled, m.SortOrder, m.UpdatedAt,
                m.CacheWritePricePerMillionMicroYuan, m.SupportsTools, m.SupportsVision, m.SupportsJsonMode))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Enabled models with their prices, for the public landing page.</summary>
    public async Task<IReadOnlyList<PublicModel>> ListOnSaleAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AiModels.AsNoTracking().Where(m => m.Enabled)
            .OrderBy(m => m.SortOrder).ThenBy(m => m.PublicId)
            .Select(m => new PublicModel(m.PublicId, m.DisplayName, m.Kind, new Money(m.InputPricePerMillionMicroYuan), new Money(m.OutputPricePerMillionMicroYuan),
                new Money(m.CachedInputPricePerMillionMicroYuan), m.ContextWindow))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Public ids of enabled models, for the tenant's "allowed models" picker.</summary>
    public async Task<IReadOnlyList<string>> ListEnabledModelIdsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.AiModels.AsNoTracking().Where(m => m.Enabled)
            .OrderBy(m => m.SortOrder).ThenBy(m => m.PublicId).Select(m => m.PublicId).ToListAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<ChannelRow>> ListChannelsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var channels = await db.Channels.AsNoTracking().Include(c => c.Models)
            .OrderBy(c => c.Priority).ThenBy(c => c.Name)
            .ToListAsync(cancellationToken);
        return channels.Select(c => new ChannelRow(c.Id, c.Name, c.Type, c.BaseUrl, c.ApiKeyLast4, c.Priority, c.Weight, c.Enabled,
                c.ConnectTimeoutMs, c.FirstByteTimeoutMs, c.SimulatorLatencyMs, c.SimulatorTokensPerSecond, c.SimulatorFailurePerMille,
                c.Models.OrderBy(m => m.PublicModelId, StringComparer.Ordinal).Select(m => new ChannelMappingRow(m.PublicModelId, m.UpstreamModelId)).ToList(),
                c.UpdatedAt, c.SupportsResponsesApi, c.AzureApiVersion, c.SimulatorWireFamily, c.Region, c.ProviderCountry))
            .ToList();
    }
}
