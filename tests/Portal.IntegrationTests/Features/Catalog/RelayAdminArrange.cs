using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Catalog;
using Portal.IntegrationTests.Features.Kyc;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Catalog;

/// <summary>Acting through the catalog and key use cases as the operator or as a tenant member, like the pages do.</summary>
internal static class RelayAdminArrange
{
    public static string NewModelId(string stem = "model") => $"{stem}-{Guid.NewGuid():N}"[..(stem.Length + 9)];

    public static async Task<T> AsOperatorAsync<T>(this PortalFactory factory, Func<IServiceProvider, Task<T>> act)
    {
        await using var scope = await KycArrange.AsOperatorAsync(factory);
        return await act(scope.ServiceProvider);
    }

    public static async Task<T> AsUserAsync<T>(this PortalFactory factory, string email, Func<IServiceProvider, Task<T>> act)
    {
        var (scope, _) = await KycArrange.AsUserAsync(factory, email);
        await using (scope) return await act(scope.ServiceProvider);
    }

    public static CreateModel.Command Chat(string publicId, string input = "21", string output = "105", string cached = "10.5") =>
        new(publicId, publicId.ToUpperInvariant(), ModelKind.Chat, input, output, cached, 128_000, 16_384, 4_096, ModelTokenizer.O200kBase, true);

    public static async Task<Guid> ModelAsync(this PortalFactory factory, string publicId, string input = "21", string output = "105")
    {
        var created = await factory.AsOperatorAsync(s => s.GetRequiredService<CreateModel.Handler>().HandleAsync(Chat(publicId, input, output)));
        Assert.True(created.IsSuccess, created.Error?.Message);
        return created.Value;
    }

    public static Task<Result<CreateApiKey.Created>> CreateKeyAsync(this PortalFactory factory, string email, CreateApiKey.Command command) =>
        factory.AsUserAsync(email, s => s.GetRequiredService<CreateApiKey.Handler>().HandleAsync(command));

    public static async Task<CreateApiKey.Created> KeyAsync(this PortalFactory factory, string email, string name = "生产服务器")
    {
        var created = await factory.CreateKeyAsync(email, new CreateApiKey.Command(name));
        Assert.True(created.IsSuccess, created.Error?.Message);
        return created.Value;
    }
}

/// <summary>Records what the use cases tell the relay's cache.</summary>
public sealed class RecordingRelayCache : IRelayCache
{
    public List<string> Calls { get; } = [];

    public void CatalogChanged()
    {
        lock (Calls) Calls.Add("catalog");
    }

    public void KeyChanged(string secretHash)
    {
        lock (Calls) Calls.Add("key:" + secretHash);
    }

    public void TenantChanged(Guid tenantId)
    {
        lock (Calls) Calls.Add("tenant:" + tenantId);
    }
}

/// <summary>A factory whose relay cache records every notification.</summary>
public interface IRecordsRelayCache
{
    RecordingRelayCache RelayCache { get; }
}

public sealed class RelayAdminPostgresFactory : PortalFactory, IRecordsRelayCache
{
    public override Portal.Core.Data.DatabaseProvider Provider => Portal.Core.Data.DatabaseProvider.Postgres;

    public RecordingRelayCache RelayCache { get; } = new();

    protected override async Task<string> CreateDatabaseAsync() => await (await PostgresServer.GetAsync()).CreateDatabaseAsync("portal_test");

    protected override void Configure(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        Microsoft.AspNetCore.TestHost.WebHostBuilderExtensions.ConfigureTestServices(builder, s => s.AddSingleton<IRelayCache>(RelayCache));
}

public sealed class RelayAdminSqliteFactory : PortalFactory, IRecordsRelayCache
{
    public override Portal.Core.Data.DatabaseProvider Provider => Portal.Core.Data.DatabaseProvider.Sqlite;

    public RecordingRelayCache RelayCache { get; } = new();

    protected override Task<string> CreateDatabaseAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "portal-sqlite");
        Directory.CreateDirectory(dir);
        return Task.FromResult($"Data Source={Path.Combine(dir, Guid.NewGuid().ToString("N") + ".db")}");
    }

    protected override void Configure(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) =>
        Microsoft.AspNetCore.TestHost.WebHostBuilderExtensions.ConfigureTestServices(builder, s => s.AddSingleton<IRelayCache>(RelayCache));
}
