using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Portal.IntegrationTests.Infrastructure;

/// <summary>
/// A minimal SMTP server on loopback that records what it is sent, serving several connections at once. With
/// <see cref="RejectData"/> it refuses every message with 554, as a mail server in trouble would; with
/// <see cref="DataDelay"/> it takes that long to accept each message, as a slow relay would.
/// </summary>
public sealed class FakeSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeSmtpServer()
    {
        _listener.Start();
        _loop = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public bool RejectData { get; set; }

    public TimeSpan DataDelay { get; set; }

    public List<string> Messages { get; } = [];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopped.
        }
    }

    private async Task AcceptAsync()
    {
        var sessions = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                sessions.Add(ServeAsync(client));
            }
        }
        finally
        {
            await Task.WhenAll(sessions).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            await using var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 localhost fake smtp");
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                var verb = line.Split(' ')[0].ToUpperInvariant();
                if (verb is "EHLO" or "HELO") await writer.WriteAsync("250-localhost\r\n250 8BITMIME\r\n");
                else if (verb == "DATA")
                {
                    await writer.WriteLineAsync("354 go ahead");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync(_stop.Token) is { } body && body != ".") data.AppendLine(body);
                    if (DataDelay > TimeSpan.Zero) await Task.Delay(DataDelay, _stop.Token);
                    if (RejectData) await writer.WriteLineAsync("554 mailbox unavailable");
                    else
                    {
                        lock (Messages) Messages.Add(data.ToString());
                        await writer.WriteLineAsync("250 queued");
                    }
                }
                else if (verb == "QUIT")
                {
                    await writer.WriteLineAsync("221 bye");
                    break;
                }
                else await writer.WriteLineAsync("250 OK");
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The server stopped or the client hung up.
        }
    }
}
