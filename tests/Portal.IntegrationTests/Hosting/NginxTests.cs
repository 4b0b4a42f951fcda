using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Portal.Core.Data;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Hosting;

/// <summary>
/// The repository's nginx configuration (deploy/nginx) with Debian's nginx: it passes <c>nginx -t</c>, and, started on a
/// free loopback port in front of a real portal host, it hands out the routing cookie once and passes Blazor's WebSocket upgrade.
/// Only the addresses differ from the deployment: the listen port and the upstream servers.
/// </summary>
public sealed partial class NginxTests : IAsyncLifetime
{
    private const string Nginx = "/usr/sbin/nginx";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "portal-nginx", Guid.NewGuid().ToString("N"));
    private readonly int _port = FreePort();
    private readonly int _backendPort = FreePort();
    private SharedDatabaseFactory? _portal;
    private Process? _nginx;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var connectionString = await SharedDatabaseFactory.NewDatabaseAsync(DatabaseProvider.Sqlite, "nginx");
        _portal = new SharedDatabaseFactory(DatabaseProvider.Sqlite, connectionString, new Dictionary<string, string>
        {
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        });
        await _portal.InitializeOnKestrelAsync(_backendPort);
    }

    public async Task DisposeAsync()
    {
        if (_nginx is { HasExited: false })
        {
            _nginx.Kill();
            await _nginx.WaitForExitAsync();
        }

        if (_portal is not null) await _portal.DisposeAsync();
    }

    [Fact]
    public async Task Repository_configuration_passes_nginx_t()
    {
        var (exitCode, output) = await RunNginxAsync("-t", "-c", WriteConfiguration());
        Assert.True(exitCode == 0, output);
        Assert.Contains("test is successful", output);
    }

    [Fact]
    public async Task Through_nginx_a_browser_gets_one_routing_cookie_and_Blazor_upgrades_to_a_WebSocket()
    {
        var configuration = WriteConfiguration();
        _nginx = Process.Start(new ProcessStartInfo(Nginx, ["-c", configuration, "-p", _directory + "/", "-e", Path.Combine(_directory, "error.log"), "-g", "daemon off;"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri($"http://127.0.0.1:{_port}") };
        await WaitUntilListeningAsync(http);

        var first = await http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var cookie = Assert.Single(first.Headers.GetValues("Set-Cookie"), c => c.StartsWith("portal_route=", StringComparison.Ordinal));
        var route = cookie.Split(';')[0];
        using (var again = new HttpRequestMessage(HttpMethod.Get, "/healthz"))
        {
            again.Headers.Add("Cookie", route);
            var second = await http.SendAsync(again);
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.False(second.Headers.TryGetValues("Set-Cookie", out var more) && more.Any(c => c.StartsWith("portal_route=", StringComparison.Ordinal)));
        }

        using var negotiate = new HttpRequestMessage(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1");
        negotiate.Headers.Add("Cookie", route);
        var negotiated = await http.SendAsync(negotiate);
        Assert.Equal(HttpStatusCode.OK, negotiated.StatusCode);
        var token = JsonDocument.Parse(await negotiated.Content.ReadAsStringAsync()).RootElement.GetProperty("connectionToken").GetString();

        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Cookie", route);
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{_port}/_blazor?id={token}"), new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.Equal(WebSocketState.Open, socket.State);
        // SignalR's handshake over the upgraded connection (Blazor speaks blazorpack): the hub answers "{}" and the record separator.
        await socket.SendAsync("{\"protocol\":\"blazorpack\",\"version\":1}\u001e"u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1024];
        var received = await socket.ReceiveAsync(buffer, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.StartsWith("{}", System.Text.Encoding.UTF8.GetString(buffer, 0, received.Count));
    }

    /// <summary>The repository's three files, with this test's listen port, upstream and paths.</summary>
    private string WriteConfiguration()
    {
        var deploy = Path.Combine(RepositoryRoot(), "deploy", "nginx");
        var upstream = UpstreamServer().Replace(File.ReadAllText(Path.Combine(deploy, "upstream.conf")), "");
        upstream = upstream.Replace("keepalive", $"server 127.0.0.1:{_backendPort};\n    keepalive", StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_directory, "upstream.conf"), upstream);
        var portal = File.ReadAllText(Path.Combine(deploy, "portal.conf")).Replace("listen 80;", $"listen 127.0.0.1:{_port};", StringComparison.Ordinal);
        Assert.Contains($"listen 127.0.0.1:{_port};", portal);
        File.WriteAllText(Path.Combine(_directory, "portal.conf"), portal);
        var main = File.ReadAllText(Path.Combine(deploy, "nginx.conf")).Replace("/etc/nginx/portal/", _directory + "/", StringComparison.Ordinal);
        // Temporary files and the pid under the test's directory, so nginx needs nothing of the machine's.
        main = main.Replace("http {", $"pid {_directory}/nginx.pid;\n\nhttp {{\n    client_body_temp_path {_directory}/body;\n    proxy_temp_path {_directory}/proxy;\n    fastcgi_temp_path {_directory}/fastcgi;\n    uwsgi_temp_path {_directory}/uwsgi;\n    scgi_temp_path {_directory}/scgi;\n    access_log {_directory}/access.log;", StringComparison.Ordinal);
        var path = Path.Combine(_directory, "nginx.conf");
        File.WriteAllText(path, main);
        return path;
    }

    private async Task<(int ExitCode, string Output)> RunNginxAsync(params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(Nginx, [.. arguments, "-p", _directory + "/", "-e", Path.Combine(_directory, "error.log")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var output = await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }

    private async Task WaitUntilListeningAsync(HttpClient http)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (_nginx!.HasExited) Assert.Fail("nginx exited: " + await _nginx.StandardError.ReadToEndAsync());
            try
            {
                await http.GetAsync("/healthz");
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }

        Assert.Fail("nginx did not start listening.");
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "docker-compose.yml"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("The repository root (docker-compose.yml) was not found.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"^\s*server portal-\d+:8080[^;]*;\s*$\n?", RegexOptions.Multiline)]
    private static partial Regex UpstreamServer();
}
