namespace Portal.Web.Hosting;

/// <summary>
/// The <c>healthcheck</c> verb, for a container's HEALTHCHECK: one GET of <c>/healthz</c> on the running portal, exit
/// code 0 when it answers 200 within five seconds, 1 otherwise. It builds no host and touches no database, so it is
/// cheap and never starts a second portal. The address is <c>--url</c>, else the first http address of
/// <c>ASPNETCORE_URLS</c> (wildcard hosts become loopback), else <c>ASPNETCORE_HTTP_PORTS</c>, else port 8080.
/// </summary>
public static class HealthProbe
{
    public const string Verb = "healthcheck";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(string[] args, HttpMessageHandler? handler = null)
    {
        var target = Target(args, Environment.GetEnvironmentVariable("ASPNETCORE_URLS"), Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS"));
        var (healthy, detail) = await ProbeAsync(target, handler);
        await (healthy ? Console.Out : Console.Error).WriteLineAsync($"{target}: {detail}");
        return healthy ? 0 : 1;
    }

    public static async Task<(bool Healthy, string Detail)> ProbeAsync(Uri target, HttpMessageHandler? handler = null)
    {
        using var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = Timeout;
        try
        {
            using var response = await http.GetAsync(target);
            return ((int)response.StatusCode == StatusCodes.Status200OK, ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return (false, ex.Message);
        }
    }

    /// <summary>The <c>/healthz</c> URL to probe, from the arguments and the environment Kestrel reads.</summary>
    public static Uri Target(string[] args, string? urls, string? httpPorts)
    {
        var index = Array.IndexOf(args, "--url");
        if (index >= 0 && index + 1 < args.Length) return new Uri(new Uri(args[index + 1]), "/healthz");

        foreach (var url in (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) continue;
            var hostStart = "http://".Length;
            var hostEnd = url.IndexOfAny([':', '/'], url.StartsWith("http://[", StringComparison.Ordinal) ? url.IndexOf(']', hostStart) : hostStart);
            var host = hostEnd < 0 ? url[hostStart..] : url[hostStart..hostEnd];
            var rest = hostEnd < 0 ? "" : url[hostEnd..];
            if (host is "+" or "*" or "0.0.0.0" or "[::]" or "") host = "localhost";
            return new Uri(new Uri($"http://{host}{rest}"), "/healthz");
        }

        var port = (httpPorts ?? "").Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "8080";
        return new Uri($"http://localhost:{port}/healthz");
    }
}
