using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Portal.Core.Features.Catalog;
using Portal.Relay.Streaming;
using Portal.Relay.Upstream;

namespace Portal.Relay.Forwarding;

/// <summary>
/// Sends one request to one channel through its circuit breaker and waits for the first byte: the whole body for a
/// non-streaming request (nothing has reached the client yet, so any failure can still fail over), the first event for
/// a streaming one. OpenAI-compatible channels go over HTTP (<see cref="IHttpClientFactory"/>, a pooled
/// <see cref="SocketsHttpHandler"/>, response headers read first); Simulator channels are answered in process.
/// </summary>
/// <remarks>
/// Waits (simulated latency, connect and first-byte timeouts) run on wall-clock time, not on the injected
/// <see cref="TimeProvider"/>: they are I/O, not business time.
/// </remarks>
internal sealed class UpstreamForwarder(IHttpClientFactory httpClients, UpstreamTargets targets, SimulatedUpstreams simulated, IOptions<RelayOptions> options)
{
    public const string HttpClientName = "Portal.Relay.Upstream";

    /// <summary>Largest non-streaming upstream body the relay buffers (a larger one is a failure of the channel).</summary>
    private const int MaxWholeBodyBytes = 64 * 1024 * 1024;

    internal static readonly HttpRequestOptionsKey<TimeSpan> ConnectTimeoutOption = new("Portal.Relay.ConnectTimeout");

    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue AcceptJson = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue AcceptEvents = new("text/event-stream");

    private readonly TimeSpan _upstreamTimeout = options.Value.UpstreamTimeout;

    /// <summary>
    /// Tries <paramref name="channel"/> once. Throws only when <paramref name="clientAborted"/> fires. An operator's
    /// probe (<paramref name="throughBreaker"/> false) goes to the upstream even while the circuit is open.
    /// </summary>
    public async Task<UpstreamAttempt> SendAsync(ChannelRuntime channel, UpstreamCall call, CancellationToken clientAborted, bool throughBreaker = true)
    {
        var started = Stopwatch.GetTimestamp();
        UpstreamAttempt attempt;
        try
        {
            attempt = !throughBreaker ? await SendCoreAsync(channel, call, clientAborted) : await channel.Breaker.ExecuteAsync(
                static (state, _) => new ValueTask<UpstreamAttempt>(state.Self.SendCoreAsync(state.Channel, state.Call, state.ClientAborted)),
                (Self: this, Channel: channel, Call: call, ClientAborted: clientAborted),
                clientAborted);
        }
        catch (BrokenCircuitException)
        {
            return UpstreamAttempt.ChannelFailed(0, "circuit open");
        }

        var ok = attempt.Kind != AttemptKind.ChannelFailure;
        channel.Stats.Record(ok, Stopwatch.GetElapsedTime(started).TotalMilliseconds, ok ? null : attempt.Failure);
        return attempt;
    }

    private Task<UpstreamAttempt> SendCoreAsync(ChannelRuntime channel, UpstreamCall call, CancellationToken clientAborted)
    {
        var settings = channel.Settings;
        return settings.Type == ChannelType.Simulator
            ? SimulateAsync(channel.Simulator!, settings, call, clientAborted)
            : SendHttpAsync(settings, call, clientAborted);
    }

    private async Task<UpstreamAttempt> SendHttpAsync(ChannelSettings settings, UpstreamCall call, CancellationToken clientAborted)
    {
        var stream = call.Stream;
        if (targets.For(settings.Type) is not { } target) return UpstreamAttempt.ChannelFailed(0, $"channel type {settings.Type} is not supported by this relay");
        var request = target.CreateRequest(settings, call);
        if (request is null) return UpstreamAttempt.ChannelFailed(0, $"channel has no valid base URL for {call.Endpoint}");

        var timeout = CancellationTokenSource.CreateLinkedTokenSource(clientAborted);
        timeout.CancelAfter(settings.FirstByteTimeout);
        HttpResponseMessage? response = null;
        var handedOver = false;
        try
        {
            using var owned = request;
            request.Content = new ReadOnlyMemoryContent(call.Body);
            request.Content.Headers.ContentType = Json;
            request.Headers.Accept.Add(stream ? AcceptEvents : AcceptJson);
            foreach (var (name, value) in call.Headers) request.Headers.TryAddWithoutValidation(name, value);
            request.Options.Set(ConnectTimeoutOption, settings.ConnectTimeout);

            var client = httpClients.CreateClient(HttpClientName);
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            var contentType = response.Content.Headers.ContentType?.ToString();
            if (!response.IsSuccessStatusCode)
            {
                if (IsChannelFault(status)) return UpstreamAttempt.ChannelFailed(status, $"HTTP {status}");
                var refused = await ReadLimitedAsync(response.Content, 1024 * 1024, timeout.Token);
                return UpstreamAttempt.Refused(status, refused, contentType);
            }

            if (stream)
            {
                if (response.Content.Headers.ContentType?.MediaType is not "text/event-stream")
                    return UpstreamAttempt.ChannelFailed(status, $"expected text/event-stream, got {contentType ?? "no content type"}");
                var events = new SseEventReader(await response.Content.ReadAsStreamAsync(timeout.Token));
                if (!await events.ReadAsync(timeout.Token))
                {
                    await events.DisposeAsync();
                    return UpstreamAttempt.ChannelFailed(status, "empty event stream");
                }

                timeout.CancelAfter(_upstreamTimeout);
                handedOver = true;
                return UpstreamAttempt.Streaming(status, events, response, timeout);
            }

            timeout.CancelAfter(_upstreamTimeout);
            var whole = await ReadLimitedAsync(response.Content, MaxWholeBodyBytes, timeout.Token);
            return UpstreamAttempt.Whole(status, whole, contentType, null, null);
        }
        catch (OperationCanceledException) when (!clientAborted.IsCancellationRequested)
        {
            return UpstreamAttempt.ChannelFailed(0, "timed out before the first byte", timedOut: true);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException)
        {
            return UpstreamAttempt.ChannelFailed(0, e is HttpRequestException { HttpRequestError: var kind } ? $"{kind}: {e.Message}" : e.Message);
        }
        finally
        {
            if (!handedOver)
            {
                response?.Dispose();
                timeout.Dispose();
            }
        }
    }

    private async Task<UpstreamAttempt> SimulateAsync(SimulatorUpstream simulator, ChannelSettings settings, UpstreamCall call, CancellationToken clientAborted)
    {
        var (endpoint, body, stream) = (call.Endpoint, call.Body, call.Stream);
        var latency = TimeSpan.FromMilliseconds(Math.Max(0, settings.SimulatorLatencyMs));
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(clientAborted);
        timeout.CancelAfter(settings.FirstByteTimeout);
        var handedOver = false;
        try
        {
            if (simulator.NextFailure() is { } failure)
            {
                await DelayAsync(latency, timeout.Token);
                return UpstreamAttempt.ChannelFailed(failure.StatusCode, $"HTTP {failure.StatusCode} (simulated failure)");
            }

            if (settings.Family != WireFamily.OpenAI || endpoint is not (UpstreamEndpoint.ChatCompletions or UpstreamEndpoint.Embeddings))
            {
                // Another family's wire format (or another OpenAI API): answered by the simulator of that family.
                var other = simulated.Answer(simulator, settings, call);
                if (other.ClientError is { } refused) return UpstreamAttempt.Refused(refused.Status, refused.Body, "application/json");
                if (other.Body is { } whole)
                {
                    await DelayAsync(other.Delay, timeout.Token);
                    return UpstreamAttempt.Whole(200, whole, "application/json", null, null);
                }

                var otherChunks = other.Chunks!;
                var otherEvents = new SseEventReader(new SimulatedEventStream(otherChunks));
                if (!await otherEvents.ReadAsync(timeout.Token))
                {
                    await otherEvents.DisposeAsync();
                    return UpstreamAttempt.ChannelFailed(200, "empty event stream");
                }

                timeout.CancelAfter(_upstreamTimeout);
                handedOver = true;
                return UpstreamAttempt.Streaming(200, otherEvents, null, timeout);
            }

            if (endpoint == UpstreamEndpoint.Embeddings)
            {
                var embeddings = simulator.CreateEmbeddings(body.Span);
                await DelayAsync(latency, timeout.Token);
                return UpstreamAttempt.Whole(200, embeddings.Body, "application/json", null, null);
            }

            if (!stream)
            {
                var completion = simulator.CreateChatCompletion(body.Span);
                await DelayAsync(completion.Delay, timeout.Token);
                return UpstreamAttempt.Whole(200, completion.Body, "application/json", null, null);
            }

            var chunks = simulator.CreateChatCompletionChunks(body.Span);
            var events = new SseEventReader(new SimulatedEventStream(chunks.Chunks));
            if (!await events.ReadAsync(timeout.Token))
            {
                await events.DisposeAsync();
                return UpstreamAttempt.ChannelFailed(200, "empty event stream");
            }

            timeout.CancelAfter(_upstreamTimeout);
            handedOver = true;
            return UpstreamAttempt.Streaming(200, events, null, timeout);
        }
        catch (OperationCanceledException) when (!clientAborted.IsCancellationRequested)
        {
            return UpstreamAttempt.ChannelFailed(0, "timed out before the first byte", timedOut: true);
        }
        finally
        {
            if (!handedOver) timeout.Dispose();
        }
    }

    /// <summary>5xx, 429, and the statuses that mean the channel itself is misconfigured (its key, its model id).</summary>
    private static bool IsChannelFault(int status) => status >= 500 || status is 429 or 401 or 403 or 404 or 408;

    private static Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, TimeProvider.System, cancellationToken);

    private static async Task<byte[]> ReadLimitedAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is { } length && length > limit) throw new InvalidDataException($"The upstream body is larger than {limit} bytes.");
        await using var source = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream(content.Headers.ContentLength is { } known ? (int)known : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit) throw new InvalidDataException($"The upstream body is larger than {limit} bytes.");
            buffer.Write(chunk, 0, read);
        }

        return buffer.Length == buffer.Capacity ? buffer.GetBuffer() : buffer.ToArray();
    }

    /// <summary>The handler every OpenAI-compatible channel shares: pooled connections, per-channel connect timeout, no decompression (bytes pass through).</summary>
    public static SocketsHttpHandler CreateHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        MaxConnectionsPerServer = int.MaxValue,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        AllowAutoRedirect = false,
        EnableMultipleHttp2Connections = true,
        // No trace headers to third-party vendors (and no per-request Activity work on the hot path).
        ActivityHeadersPropagator = null,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var connectTimeout = context.InitialRequestMessage.Options.TryGetValue(ConnectTimeoutOption, out var configured) ? configured : TimeSpan.FromSeconds(10);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(connectTimeout);
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, timeout.Token);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                socket.Dispose();
                throw new HttpRequestException(HttpRequestError.ConnectionError, $"Connecting to {context.DnsEndPoint} timed out after {connectTimeout.TotalMilliseconds:0} ms.");
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
