using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Portal.Core.Data;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Payments.Alipay;
using Portal.Core.Features.Payments.Alipay.Simulator;
using Portal.Core.Features.Payments.WechatPay;
using Portal.Core.Features.Payments.WechatPay.Simulator;
using Portal.Core.Features.Wallet;

namespace Portal.IntegrationTests.Infrastructure;

/// <summary>
/// The real app (Program) on a fresh database per test class, with the clock under the test's control.
/// Concrete factories pick the provider: every behaviour test runs on PostgreSQL and on SQLite.
/// </summary>
public abstract class PortalFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminEmail = "root@operators.test";
    public const string AdminPassword = "Operator-Pass-2026";

    private string _connectionString = "";

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>Faults injected between the portal's Alipay client and the gateway (lost responses).</summary>
    public RailFaults AlipayFaults { get; } = new();

    public RailFaults WechatPayFaults { get; } = new();

    public abstract DatabaseProvider Provider { get; }

    public string ConnectionString => _connectionString;

    /// <summary>This factory's own file store directory, so tests can see exactly what was stored.</summary>
    public string StoragePath { get; } = Path.Combine(Path.GetTempPath(), "portal-files", Guid.NewGuid().ToString("N"));

    protected abstract Task<string> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        _connectionString = await CreateDatabaseAsync();
        // Starting the host applies the migrations and creates the bootstrap admin.
        _ = Server;
    }

    /// <summary>The app on Kestrel at <c>http://127.0.0.1:<paramref name="port"/></c> instead of the in-memory server, for a real proxy in front.</summary>
    public async Task InitializeOnKestrelAsync(int port)
    {
        UseKestrel(port);
        _connectionString = await CreateDatabaseAsync();
        StartServer();
    }

    /// <summary>
    /// After every test of the class has run: the ledger invariant must hold for every wallet in this class's
    /// database, whatever the tests did to it. A violation fails the class.
    /// </summary>
    async Task IAsyncLifetime.DisposeAsync()
    {
        try
        {
            await using var scope = Scope();
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            var invariant = scope.ServiceProvider.GetRequiredService<LedgerInvariant>();
            foreach (var walletId in await db.Wallets.IgnoreTenantFilter().Select(w => w.Id).ToListAsync())
            {
                var check = await invariant.CheckAsync(walletId);
                if (check is { Holds: false })
                    throw new InvalidOperationException($"Ledger invariant broken after the suite: wallet {walletId} balance {check.Balance}, ledger says {check.Expected}.");
            }
        }
        finally
        {
            await DisposeAsync();
            await ReleaseDatabaseAsync(_connectionString);
        }
    }

    /// <summary>After the host has stopped: gives the class's database back (pooled connections closed, database dropped).</summary>
    protected virtual Task ReleaseDatabaseAsync(string connectionString) => Task.CompletedTask;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", Provider.ToString());
        builder.UseSetting("Database:MigrateOnStartup", "true");
        builder.UseSetting("ConnectionStrings:Portal", _connectionString);
        builder.UseSetting("Bootstrap:AdminEmail", AdminEmail);
        builder.UseSetting("Bootstrap:AdminPassword", AdminPassword);
        builder.UseSetting("Jobs:RunServer", "false");
        builder.UseSetting("Portal:PublicBaseUrl", "http://localhost");
        // Tests that look into StoragePath keep the local store; the two-host storage tests set Database.
        builder.UseSetting("Storage:Provider", "Local");
        builder.UseSetting("Storage:Path", StoragePath);
        builder.UseSetting("BankTransfer:AccountName", "测试平台科技有限公司");
        builder.UseSetting("BankTransfer:BankName", "招商银行");
        builder.UseSetting("BankTransfer:Branch", "上海分行营业部");
        builder.UseSetting("BankTransfer:AccountNumber", "121900000000001");
        builder.UseSetting("Invoice:SellerName", "测试平台科技有限公司");
        builder.UseSetting("Invoice:SellerTaxpayerId", "91310115MA1K4XYZ8Q");
        builder.UseSetting("Invoice:SellerAddress", "上海市浦东新区张江路666号");
        builder.UseSetting("Invoice:SellerPhone", "021-68880000");
        builder.UseSetting("Invoice:SellerBank", "招商银行上海分行营业部");
        builder.UseSetting("Invoice:SellerAccount", "121900000000001");
        // The simulator's notifications are delivered by the tests themselves (AlipaySimulatorNotifier.DeliverDueAsync).
        builder.UseSetting("Alipay:Simulator:RunNotifier", "false");
        // Test classes sign in many users from one address within one frozen minute; RateLimitTests turns throttles on.
        builder.UseSetting("RateLimits:Enabled", "false");
        builder.UseSetting("WechatPay:Simulator:RunNotifier", "false");
        Configure(builder);
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<Microsoft.AspNetCore.Hosting.IStartupFilter, TestClientIp>();
            // The Alipay client and the simulator's notifier reach the app (gateway, notify_url) in memory.
            services.AddHttpClient(AlipayFeature.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Server.CreateHandler())
                .AddHttpMessageHandler(() => new AlipayFaultHandler(AlipayFaults));
            services.AddHttpClient(AlipaySimulatorNotifier.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Server.CreateHandler());
            services.AddHttpClient(WechatPayFeature.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Server.CreateHandler())
                .AddHttpMessageHandler(() => new WechatPayFaultHandler(WechatPayFaults));
            services.AddHttpClient(WechatPaySimulatorNotifier.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Server.CreateHandler());
        });
    }

    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    /// <summary>Extra settings of a derived factory.</summary>
    protected virtual void Configure(IWebHostBuilder builder)
    {
    }
}

public sealed class PostgresPortalFactory : PortalFactory
{
    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    protected override async Task<string> CreateDatabaseAsync() => await (await PostgresServer.GetAsync()).CreateDatabaseAsync("portal_test");

    protected override async Task ReleaseDatabaseAsync(string connectionString) => await (await PostgresServer.GetAsync()).DropDatabaseAsync(connectionString);
}

public sealed class SqlitePortalFactory : PortalFactory
{
    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override Task<string> CreateDatabaseAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "portal-sqlite");
        Directory.CreateDirectory(dir);
        return Task.FromResult($"Data Source={Path.Combine(dir, Guid.NewGuid().ToString("N") + ".db")}");
    }
}
