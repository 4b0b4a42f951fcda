using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Playwright;
using Portal.Core.Features.Kyc;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.E2E.Infrastructure;

/// <summary>
/// The portal on the embedded default (SQLite, a fresh file), served by Kestrel on a free loopback port,
/// and Debian's Chromium driven by Playwright. One per test class.
/// </summary>
public sealed class PortalServer : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminEmail = "root@operators.test";
    public const string AdminPassword = "Operator-Pass-2026";

    private readonly string _database = Path.Combine(Path.GetTempPath(), "portal-e2e", Guid.NewGuid().ToString("N") + ".db");
    private IPlaywright? _playwright;

    public PortalServer()
    {
        Port = FreePort();
        UseKestrel(Port);
    }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public IBrowser Browser { get; private set; } = default!;

    /// <summary>Which tenants pass real-name verification (the real gate lives on the KYC branch).</summary>

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_database)!);
        StartServer();
        // CI machines are small and busy: give the browser's expectations room before calling them failures.
        Assertions.SetDefaultExpectTimeout(15_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("PORTAL_E2E_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        await DisposeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // Outside Development the host only serves published assets; the build's own manifest serves them here.
        builder.UseStaticWebAssets();
        builder.UseSetting("Database:Provider", "Sqlite");
        builder.UseSetting("ConnectionStrings:Portal", $"Data Source={_database}");
        builder.UseSetting("Bootstrap:AdminEmail", AdminEmail);
        builder.UseSetting("Bootstrap:AdminPassword", AdminPassword);
        builder.UseSetting("Portal:PublicBaseUrl", BaseUrl);
        // Every flow signs in from 127.0.0.1; the throttles have their own integration tests.
        builder.UseSetting("RateLimits:Enabled", "false");
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
        builder.UseSetting("Storage:Path", Path.Combine(Path.GetDirectoryName(_database)!, Path.GetFileNameWithoutExtension(_database) + "-files"));
    }

    /// <summary>A fresh browser context (its own cookies) with a page, Chinese UI by default like a new visitor.</summary>
    public async Task<IPage> NewPageAsync(string locale = "zh-CN", int width = 1366, int height = 860)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl, Locale = locale, ViewportSize = new ViewportSize { Width = width, Height = height } });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public AsyncServiceScope Scope() => Services.CreateAsyncScope();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
