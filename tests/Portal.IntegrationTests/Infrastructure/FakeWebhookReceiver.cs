using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Portal.IntegrationTests.Infrastructure;

/// <summary>A real HTTP endpoint on 127.0.0.1 that records webhook posts and answers with scripted status codes.</summary>
public sealed class FakeWebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly ConcurrentQueue<int> _script = new();

    public FakeWebhookReceiver()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = $"http://127.0.0.1:{port}/hooks/portal";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public sealed record Received(string Body, string? Signature, string? Event, string? Delivery, int AnsweredWith);

    public string Url { get; }

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>The next requests are answered with these codes in order; then 200.</summary>
    public void AnswerNext(params int[] statusCodes)
    {
        foreach (var code in statusCodes) _script.Enqueue(code);
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            var status = _script.TryDequeue(out var scripted) ? scripted : 200;
            Requests.Enqueue(new Received(body, context.Request.Headers["X-Portal-Signature"], context.Request.Headers["X-Portal-Event"], context.Request.Headers["X-Portal-Delivery"], status));
            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await Task.WhenAny(_loop, Task.Delay(1000));
    }
}
