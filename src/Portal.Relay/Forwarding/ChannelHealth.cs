using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Catalog;
using Portal.Core.Localization;
using Portal.Relay.Catalog;
using Portal.Relay.Protocols.Canonical;

namespace Portal.Relay.Forwarding;

/// <summary>
/// <see cref="IChannelHealth"/> for the operator pages: what this replica saw of each channel (last 200 attempts,
/// circuit state, last error), and "test now", one tiny real request through the channel (it counts like any attempt).
/// </summary>
internal sealed class ChannelHealth(CatalogCache catalog, UpstreamForwarder forwarder, ChatCodecs codecs, IServiceScopeFactory scopes) : IChannelHealth
{
    public IReadOnlyList<ChannelHealthSnapshot> Snapshot() =>
        catalog.Channels.Select(c =>
        {
            var (requests, successRate, p50, lastError, lastErrorAt) = c.Stats.Read();
            return new ChannelHealthSnapshot(c.Id, requests, successRate, p50, c.Circuit, lastError, lastErrorAt);
        }).ToList();

    public async Task<ChannelProbeResult> ProbeAsync(Guid channelId, CancellationToken cancellationToken)
    {
        catalog.Invalidate();
        var snapshot = await catalog.GetAsync();
        if (!catalog.TryGetChannel(channelId, out var channel))
            return new ChannelProbeResult(false, null, 0, LocalizedText.Encode("The channel is disabled, unknown, or its upstream key cannot be decrypted."));

        var route = snapshot.Models.Values.SelectMany(m => m.Routes.Select(r => (Model: m, Route: r))).FirstOrDefault(x => x.Route.Channel.Id == channelId);
        string upstreamModel;
        ModelKind kind;
        if (route.Route is not null)
        {
            upstreamModel = route.Route.UpstreamModelId;
            kind = route.Model.Kind;
        }
        else
        {
            // A channel whose models are all disabled can still be tested with its first mapping.
            await using var scope = scopes.CreateAsyncScope();
            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(cancellationToken);
            var mapping = await db.ChannelModels.AsNoTracking().Where(m => m.ChannelId == channelId).OrderBy(m => m.PublicModelId).FirstOrDefaultAsync(cancellationToken);
            if (mapping is null) return new ChannelProbeResult(false, null, 0, LocalizedText.Encode("The channel serves no model yet: map at least one model to test it."));
            upstreamModel = mapping.UpstreamModelId;
            kind = await db.AiModels.AsNoTracking().Where(m => m.PublicId == mapping.PublicModelId).Select(m => (ModelKind?)m.Kind).FirstOrDefaultAsync(cancellationToken) ?? ModelKind.Chat;
        }

        UpstreamCall call;
        if (kind == ModelKind.Embedding)
        {
            var model = System.Text.Json.JsonEncodedText.Encode(upstreamModel).ToString();
            var ping = Encoding.UTF8.GetBytes($$"""{"model":"{{model}}","input":"ping"}""");
            if (ChatCodecs.EmbeddingsFor(channel.Settings.Family) is { } embeddings)
            {
                // Another family's embeddings API (Gemini's embedContent): the ping in its own wire format.
                var body = new System.Buffers.ArrayBufferWriter<byte>(128);
                call = new UpstreamCall(embeddings.EncodeRequest(ping, upstreamModel, body), upstreamModel, body.WrittenMemory, false);
            }
            else
            {
                call = new UpstreamCall(UpstreamEndpoint.Embeddings, upstreamModel, ping, false);
            }
        }
        else
        {
            // A one-token "ping" in the channel's own wire format, written by its family's codec.
            var family = channel.Settings.Family;
            var codec = codecs.For(family);
            if (codec is null) return new ChannelProbeResult(false, null, 0, $"No {family} codec is installed in this relay.");
            var ping = new ChatRequest { Model = upstreamModel, MaxOutputTokens = 1 };
            ping.Messages.Add(new ChatMessage(ChatRole.User, [new TextPart("ping")]));
            var body = new System.Buffers.ArrayBufferWriter<byte>(256);
            codec.EncodeRequest(ping, upstreamModel, body);
            call = new UpstreamCall(ChatCodecs.ChatEndpointFor(family), upstreamModel, body.WrittenMemory, false);
        }

        var started = Stopwatch.GetTimestamp();
        await using var attempt = await forwarder.SendAsync(channel, call, cancellationToken, throughBreaker: false);
        var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return attempt.Kind switch
        {
            AttemptKind.Success => new ChannelProbeResult(true, attempt.Status, latency, LocalizedText.Encode("OK: {0} answered in {1} ms.", upstreamModel, latency.ToString("0", CultureInfo.InvariantCulture))),
            AttemptKind.ClientError => new ChannelProbeResult(false, attempt.Status, latency, LocalizedText.Encode("The upstream refused the test request (HTTP {0}).", attempt.Status.ToString(CultureInfo.InvariantCulture))),
            _ => new ChannelProbeResult(false, attempt.Status == 0 ? null : attempt.Status, latency, attempt.Failure ?? "failed"),
        };
    }
}
