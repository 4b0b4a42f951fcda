using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Features.Payments.WechatPay;

/// <summary>The benchmarks' command-line options: <c>--name value</c> pairs after <c>dotnet run ... --</c>.</summary>
internal static class BenchmarkArgs
{
    public static int Int(string name, int fallback) =>
        int.TryParse(Text(name), CultureInfo.InvariantCulture, out var value) ? value : fallback;

    public static string? Text(string name)
    {
        var args = Environment.GetCommandLineArgs();
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}

/// <summary>The portal on the benchmark's PostgreSQL database, quiet, with every background loop off (in-memory or, after <c>UseKestrel</c>, on loopback TCP).</summary>
internal sealed class BenchmarkApp(string connectionString) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Benchmark");
        builder.UseContentRoot(WebProjectDirectory());
        builder.UseSetting("Database:Provider", "Postgres");
        builder.UseSetting("Database:MigrateOnStartup", "true");
        builder.UseSetting("ConnectionStrings:Portal", connectionString);
        builder.UseSetting("Jobs:RunServer", "false");
        builder.UseSetting("Alipay:Simulator:RunNotifier", "false");
        builder.UseSetting("WechatPay:Simulator:RunNotifier", "false");
        // One load generator on one address: the per-address throttles would measure themselves.
        builder.UseSetting("RateLimits:Enabled", "false");
        builder.UseSetting("Bootstrap:AdminEmail", "bench-admin@bench.test");
        builder.UseSetting("Bootstrap:AdminPassword", "Bench-Admin-2026");
        builder.UseSetting("Payments:MaximumTopUpYuan", "1000000");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Error));
        // The WeChat Pay client reaches the in-process simulator (its gateway) in memory, as in the integration tests.
        builder.ConfigureTestServices(services => services.AddHttpClient(WechatPayFeature.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Server.CreateHandler()));
    }

    private static string WebProjectDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.sln"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Run from the repository: Portal.sln not found."), "src", "Portal.Web");
    }
}
