using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Tenants;
using Portal.Core.Features.Usage;
using Portal.Core.Features.Wallet;
using Portal.IntegrationTests.Infrastructure;
using Portal.Relay.Keys;
using Portal.Relay.Settlement;

/// <summary>
/// The relay against the same fake OpenAI upstream called directly, both over loopback TCP (Kestrel), billing on
/// PostgreSQL: added latency at concurrency 1 (non-streaming total, streaming time to first event), throughput at
/// concurrency 32, relay CPU time per request and memory.
///   dotnet run -c Release --project tests/Portal.Benchmarks -- relay [--requests 3000] [--seconds 10] [--concurrency 32]
/// With <c>--protocols</c>: <c>/v1/messages</c> pass-through and chat → Anthropic translation against the OpenAI pass-through path.
/// </summary>
internal static class RelayBenchmark
{
    private const string Model = "gpt-bench";

    private const string ClaudeModel = "claude-bench";

    /// <summary>A "secret" with this prefix is sent Anthropic's way (x-api-key + anthropic-version) instead of as a bearer token.</summary>
    private const string AnthropicAuth = "anthropic:";

    public static async Task<int> RunAsync()
    {
        if (Environment.GetCommandLineArgs().Contains("--protocols")) return await ProtocolsAsync();

        var sequential = BenchmarkArgs.Int("--requests", 3000);
        var seconds = BenchmarkArgs.Int("--seconds", 10);
        var concurrency = BenchmarkArgs.Int("--concurrency", 32);

        Console.WriteLine($"Starting PostgreSQL and the portal on Kestrel ({Environment.ProcessorCount} cores)...");
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("portal_relay_bench");
        var upstream = new FakeOpenAiUpstream();
        await upstream.StartAsync();
        var port = FreePort();
        await using var app = new BenchmarkApp(connectionString);
        app.UseKestrel(port);
        app.StartServer();

        var (tenantId, secret) = await ArrangeAsync(app, upstream);
        var relayUrl = $"http://127.0.0.1:{port}/v1/chat/completions";
        var directUrl = upstream.BaseUrl("ok") + "/chat/completions";
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, UseCookies = false, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        var plain = Encoding.UTF8.GetBytes("{\"model\":\"" + Model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}],\"max_tokens\":50}");
        var streaming = Encoding.UTF8.GetBytes("{\"model\":\"" + Model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}],\"max_tokens\":50,\"stream\":true}");

        Console.WriteLine("Warming up...");
        foreach (var url in new[] { directUrl, relayUrl })
        {
            await SequentialAsync(http, url, secret, plain, stream: false, 1000);
            await SequentialAsync(http, url, secret, streaming, stream: true, 300);
            await ThroughputAsync(http, url, secret, plain, stream: false, concurrency, TimeSpan.FromSeconds(2));
        }

        var relayOk = await CountUsageAsync(app, tenantId);
        Console.WriteLine("Measuring...");
        var directPlain = await SequentialAsync(http, directUrl, secret, plain, stream: false, sequential);
        var relayPlain = await SequentialAsync(http, relayUrl, secret, plain, stream: false, sequential);
        var directStream = await SequentialAsync(http, directUrl, secret, streaming, stream: true, sequential / 2);
        var relayStream = await SequentialAsync(http, relayUrl, secret, streaming, stream: true, sequential / 2);
        var directLoad = await ThroughputAsync(http, directUrl, secret, plain, stream: false, concurrency, TimeSpan.FromSeconds(seconds));
        var relayLoad = await ThroughputAsync(http, relayUrl, secret, plain, stream: false, concurrency, TimeSpan.FromSeconds(seconds));
        var directStreamLoad = await ThroughputAsync(http, directUrl, secret, streaming, stream: true, concurrency, TimeSpan.FromSeconds(seconds));
        var relayStreamLoad = await ThroughputAsync(http, relayUrl, secret, streaming, stream: true, concurrency, TimeSpan.FromSeconds(seconds));

        await app.Services.GetRequiredService<SettlementWriter>().FlushAsync();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var workingSetMb = process.WorkingSet64 / 1024.0 / 1024.0;
        var managedMb = GC.GetTotalMemory(false) / 1024.0 / 1024.0;

        var relayRequests = relayPlain.Count + relayStream.Count + relayLoad.Completed + relayStreamLoad.Completed;
        var recorded = await CountUsageAsync(app, tenantId) - relayOk;
        var invariantHolds = await InvariantHoldsAsync(app, tenantId);
        var cpuPerRelayRequest = (relayLoad.CpuMs / relayLoad.Completed) - (directLoad.CpuMs / directLoad.Completed);
        var cpuPerRelayStream = (relayStreamLoad.CpuMs / relayStreamLoad.Completed) - (directStreamLoad.CpuMs / directStreamLoad.Completed);
        var failures = relayPlain.Failures + relayStream.Failures + relayLoad.Failures + relayStreamLoad.Failures;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"""

            relay vs direct (fake OpenAI upstream on Kestrel, loopback), billing on PostgreSQL, {Environment.ProcessorCount} cores shared by client, relay, upstream and PostgreSQL
            non-streaming, concurrency 1 ({relayPlain.Count} requests)
              direct  p50 {P(directPlain.Total, 0.5):F3} ms   p99 {P(directPlain.Total, 0.99):F3} ms
              relay   p50 {P(relayPlain.Total, 0.5):F3} ms   p99 {P(relayPlain.Total, 0.99):F3} ms
              added   p50 {P(relayPlain.Total, 0.5) - P(directPlain.Total, 0.5):F3} ms   (target ≤ 0.5 ms)
            streaming, concurrency 1 ({relayStream.Count} requests), time to first event
              direct  p50 {P(directStream.FirstEvent, 0.5):F3} ms   p99 {P(directStream.FirstEvent, 0.99):F3} ms   (whole stream p50 {P(directStream.Total, 0.5):F3} ms)
              relay   p50 {P(relayStream.FirstEvent, 0.5):F3} ms   p99 {P(relayStream.FirstEvent, 0.99):F3} ms   (whole stream p50 {P(relayStream.Total, 0.5):F3} ms)
              added   p50 {P(relayStream.FirstEvent, 0.5) - P(directStream.FirstEvent, 0.5):F3} ms   (target ≤ 0.5 ms)
            non-streaming, concurrency {concurrency}, {seconds} s
              direct  {directLoad.Rps:F0} req/s   p50 {P(directLoad.Latencies, 0.5):F2} ms   p99 {P(directLoad.Latencies, 0.99):F2} ms   CPU {directLoad.CpuMs * 1000 / directLoad.Completed:F0} µs/req
              relay   {relayLoad.Rps:F0} req/s   p50 {P(relayLoad.Latencies, 0.5):F2} ms   p99 {P(relayLoad.Latencies, 0.99):F2} ms   CPU {relayLoad.CpuMs * 1000 / relayLoad.Completed:F0} µs/req   (target ≥ 5,000 req/s)
            streaming, concurrency {concurrency}, {seconds} s
              direct  {directStreamLoad.Rps:F0} req/s   relay {relayStreamLoad.Rps:F0} req/s
            relay CPU time per request (relay run − direct run, whole process): non-streaming {cpuPerRelayRequest * 1000:F0} µs, streaming {cpuPerRelayStream * 1000:F0} µs   (target ≤ 150 µs)
            memory after the runs: working set {workingSetMb:F0} MB, managed heap {managedMb:F0} MB (client, relay and upstream in one process; target ≤ 250 MB)
            billing: {relayRequests} relayed, {recorded} usage records written, {failures} failed responses, ledger invariant {(invariantHolds ? "holds" : "BROKEN")}
            """));
        await upstream.StopAsync();
        return recorded == relayRequests && invariantHolds && failures == 0 ? 0 : 1;
    }

    /// <summary>One measured path: the same request to the upstream directly and through the relay.</summary>
    private sealed record Cell(string Name, string DirectUrl, string DirectSecret, byte[] DirectBody, string RelayUrl, string RelaySecret, byte[] RelayBody, bool Stream);

    private sealed record CellResult(Cell Cell, Sequential Direct, Sequential Relay, Load DirectLoad, Load RelayLoad)
    {
        /// <summary>Time to the first event for streams, the whole answer otherwise.</summary>
        public double AddedP50 => Cell.Stream ? P(Relay.FirstEvent, 0.5) - P(Direct.FirstEvent, 0.5) : P(Relay.Total, 0.5) - P(Direct.Total, 0.5);

        /// <summary>Relay CPU per request: the relayed run's process CPU per request minus the direct run's.</summary>
        public double CpuMicros => ((RelayLoad.CpuMs / RelayLoad.Completed) - (DirectLoad.CpuMs / DirectLoad.Completed)) * 1000;
    }

    /// <summary>
    /// <c>relay --protocols</c>: the OpenAI pass-through path against <c>/v1/messages</c> passed through to an
    /// Anthropic upstream and chat completions translated to Anthropic Messages (streaming), in one run: added p50 at
    /// concurrency 1 and relay CPU per request at concurrency <c>--concurrency</c>. Target: translation ≤ 1.5× the
    /// pass-through CPU per request.
    /// </summary>
    private static async Task<int> ProtocolsAsync()
    {
        var sequential = BenchmarkArgs.Int("--requests", 1000);
        var seconds = BenchmarkArgs.Int("--seconds", 4);
        var concurrency = BenchmarkArgs.Int("--concurrency", 16);

        Console.WriteLine($"Starting PostgreSQL, the portal and fake OpenAI and Anthropic upstreams on Kestrel ({Environment.ProcessorCount} cores)...");
        var connectionString = await (await PostgresServer.GetAsync()).CreateDatabaseAsync("portal_relay_protocols_bench");
        var openAi = new FakeOpenAiUpstream();
        await openAi.StartAsync();
        var anthropic = new FakeAnthropicUpstream();
        await anthropic.StartAsync();
        var port = FreePort();
        await using var app = new BenchmarkApp(connectionString);
        app.UseKestrel(port);
        app.StartServer();
        var (tenantId, secret) = await ArrangeAsync(app, openAi, anthropic);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, UseCookies = false, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };

        static byte[] Chat(string model, bool stream) => Encoding.UTF8.GetBytes("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}],\"max_tokens\":50" + (stream ? ",\"stream\":true" : "") + "}");
        static byte[] Messages(string model, bool stream) => Encoding.UTF8.GetBytes("{\"model\":\"" + model + "\",\"max_tokens\":50,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]" + (stream ? ",\"stream\":true" : "") + "}");
        var relay = $"http://127.0.0.1:{port}/v1";
        var openAiDirect = openAi.BaseUrl("ok") + "/chat/completions";
        var anthropicDirect = anthropic.BaseUrl("ok") + "/v1/messages";
        var anthropicKey = AnthropicAuth + FakeAnthropicUpstream.UpstreamKey;
        Cell[] cells =
        [
            new("OpenAI chat, pass-through", openAiDirect, secret, Chat(Model, false), relay + "/chat/completions", secret, Chat(Model, false), false),
            new("OpenAI chat, pass-through, streaming", openAiDirect, secret, Chat(Model, true), relay + "/chat/completions", secret, Chat(Model, true), true),
            new("/v1/messages, pass-through", anthropicDirect, anthropicKey, Messages(ClaudeModel, false), relay + "/messages", AnthropicAuth + secret, Messages(ClaudeModel, false), false),
            new("/v1/messages, pass-through, streaming", anthropicDirect, anthropicKey, Messages(ClaudeModel, true), relay + "/messages", AnthropicAuth + secret, Messages(ClaudeModel, true), true),
            new("chat → Anthropic, translated, streaming", anthropicDirect, anthropicKey, Messages(ClaudeModel, true), relay + "/chat/completions", secret, Chat(ClaudeModel, true), true),
        ];

        Console.WriteLine("Warming up...");
        foreach (var cell in cells)
        {
            await SequentialAsync(http, cell.DirectUrl, cell.DirectSecret, cell.DirectBody, cell.Stream, 200);
            await SequentialAsync(http, cell.RelayUrl, cell.RelaySecret, cell.RelayBody, cell.Stream, 200);
            await ThroughputAsync(http, cell.RelayUrl, cell.RelaySecret, cell.RelayBody, cell.Stream, concurrency, TimeSpan.FromSeconds(1));
        }

        var before = await CountUsageAsync(app, tenantId);
        Console.WriteLine("Measuring...");
        var results = new List<CellResult>();
        foreach (var cell in cells)
        {
            var direct = await SequentialAsync(http, cell.DirectUrl, cell.DirectSecret, cell.DirectBody, cell.Stream, sequential);
            var relayed = await SequentialAsync(http, cell.RelayUrl, cell.RelaySecret, cell.RelayBody, cell.Stream, sequential);
            var directLoad = await ThroughputAsync(http, cell.DirectUrl, cell.DirectSecret, cell.DirectBody, cell.Stream, concurrency, TimeSpan.FromSeconds(seconds));
            var relayLoad = await ThroughputAsync(http, cell.RelayUrl, cell.RelaySecret, cell.RelayBody, cell.Stream, concurrency, TimeSpan.FromSeconds(seconds));
            results.Add(new CellResult(cell, direct, relayed, directLoad, relayLoad));
        }

        var relayedCount = results.Sum(r => r.Relay.Count + r.RelayLoad.Completed);
        var failures = results.Sum(r => r.Relay.Failures + r.RelayLoad.Failures + r.Direct.Failures + r.DirectLoad.Failures);
        var recorded = await CountUsageAsync(app, tenantId) - before;
        var invariantHolds = await InvariantHoldsAsync(app, tenantId);
        var passThroughStream = results[1].CpuMicros;
        var translated = results[4].CpuMicros;

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"\nprotocol paths, {Environment.ProcessorCount} cores shared by client, relay, upstreams and PostgreSQL; concurrency 1 × {sequential} requests for p50, concurrency {concurrency} × {seconds} s for CPU");
        report.AppendLine("| path | direct p50 | relay p50 | added p50 | relay req/s | relay CPU per request | vs OpenAI pass-through (same mode) |");
        report.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            var reference = r.Cell.Stream ? results[1] : results[0];
            var directP50 = r.Cell.Stream ? P(r.Direct.FirstEvent, 0.5) : P(r.Direct.Total, 0.5);
            var relayP50 = r.Cell.Stream ? P(r.Relay.FirstEvent, 0.5) : P(r.Relay.Total, 0.5);
            report.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Cell.Name} | {directP50:F3} ms | {relayP50:F3} ms | {r.AddedP50:F3} ms | {r.RelayLoad.Rps:F0} | {r.CpuMicros:F0} µs | {r.CpuMicros / reference.CpuMicros:F2}× |");
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"(streaming p50s are time to the first event)\ntranslation CPU / pass-through CPU (streaming): {translated / passThroughStream:F2}× (target ≤ 1.5×)");
        report.AppendLine(CultureInfo.InvariantCulture, $"billing: {relayedCount} relayed, {recorded} usage records written, {failures} failed responses, ledger invariant {(invariantHolds ? "holds" : "BROKEN")}");
        Console.WriteLine(report.ToString());
        await openAi.StopAsync();
        await anthropic.StopAsync();
        return recorded == relayedCount && invariantHolds && failures == 0 ? 0 : 1;
    }

    private sealed record Sequential(List<double> Total, List<double> FirstEvent, int Failures)
    {
        public int Count => Total.Count;
    }

    private sealed record Load(int Completed, int Failures, double Rps, double CpuMs, List<double> Latencies);

    private static async Task<Sequential> SequentialAsync(HttpClient http, string url, string secret, byte[] body, bool stream, int count)
    {
        var total = new List<double>(count);
        var first = new List<double>(count);
        var failures = 0;
        var buffer = new byte[64 * 1024];
        for (var i = 0; i < count; i++)
        {
            var (ok, ttfe, all) = await SendAsync(http, url, secret, body, stream, buffer);
            if (!ok) failures++;
            total.Add(all);
            first.Add(ttfe);
        }

        return new Sequential(total, first, failures);
    }

    private static async Task<Load> ThroughputAsync(HttpClient http, string url, string secret, byte[] body, bool stream, int concurrency, TimeSpan duration)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var end = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var latencies = new List<double>[concurrency];
        var failures = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<double>(100_000);
            var buffer = new byte[64 * 1024];
            while (Stopwatch.GetTimestamp() < end)
            {
                var (ok, _, all) = await SendAsync(http, url, secret, body, stream, buffer);
                if (!ok) Interlocked.Increment(ref failures);
                mine.Add(all);
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        var all = latencies.SelectMany(l => l).ToList();
        return new Load(all.Count, failures, all.Count / elapsed.TotalSeconds, cpu, all);
    }

    private static async Task<(bool Ok, double FirstEventMs, double TotalMs)> SendAsync(HttpClient http, string url, string secret, byte[] body, bool stream, byte[] buffer)
    {
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (secret.StartsWith(AnthropicAuth, StringComparison.Ordinal))
        {
            // Anthropic's way: x-api-key and anthropic-version (the fake Anthropic upstream checks both).
            request.Headers.Add("x-api-key", secret[AnthropicAuth.Length..]);
            request.Headers.Add("anthropic-version", "2023-06-01");
        }
        else
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secret);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var content = await response.Content.ReadAsStreamAsync();
        double firstEvent = 0;
        var seen = 0;
        int read;
        while ((read = await content.ReadAsync(buffer)) > 0)
        {
            if (firstEvent == 0 && stream && buffer.AsSpan(0, read).IndexOf("\n\n"u8) >= 0) firstEvent = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            seen += read;
        }

        var totalMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return (response.StatusCode == HttpStatusCode.OK && seen > 0, firstEvent, totalMs);
    }

    private static async Task<(Guid TenantId, string Secret)> ArrangeAsync(BenchmarkApp app, FakeOpenAiUpstream upstream, FakeAnthropicUpstream? anthropic = null)
    {
        var email = $"relay-bench-{Guid.NewGuid():N}"[..24] + "@bench.test";
        Guid tenantId, userId;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var registered = await scope.ServiceProvider.GetRequiredService<RegisterAccount.Handler>()
                .HandleAsync(new RegisterAccount.Command(email, "Bench-Pass-2026", "Bench", "中转压测租户", TenantKind.Company));
            if (!registered.IsSuccess) throw new InvalidOperationException(registered.Error!.Message);
            tenantId = registered.Value.TenantId!.Value;
            userId = registered.Value.UserId;
        }

        await KycApproval.ApproveAsync(app.Services, email, "bench-admin@bench.test", "中转压测租户");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var credited = await scope.ServiceProvider.GetRequiredService<Ledger>().PostAsync(new LedgerPosting(
                tenantId, Money.FromYuan(1_000_000), LedgerEntryKind.Adjustment, "bench:relay", "relay benchmark funds", "wallet.adjusted"));
            if (!credited.IsSuccess) throw new InvalidOperationException(credited.Error!.Message);

            await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
            using var platform = db.EnterPlatformScope();
            var now = DateTimeOffset.UtcNow;
            db.AiModels.Add(new AiModel
            {
                Id = Ids.New(),
                PublicId = Model,
                DisplayName = Model,
                Kind = ModelKind.Chat,
                InputPricePerMillionMicroYuan = 2_500_000,
                OutputPricePerMillionMicroYuan = 10_000_000,
                CachedInputPricePerMillionMicroYuan = 1_250_000,
                ContextWindow = 128_000,
                MaxOutputTokens = 16_384,
                DefaultHoldOutputTokens = 1_000,
                Tokenizer = ModelTokenizer.O200kBase,
                Enabled = true,
                CreatedAt = now,
                UpdatedAt = now,
            });
            var channel = new Channel
            {
                Id = Ids.New(),
                Name = "fake-upstream",
                Type = ChannelType.OpenAICompatible,
                BaseUrl = upstream.BaseUrl("ok"),
                ApiKeyProtected = scope.ServiceProvider.GetRequiredService<ChannelSecrets>().Protect(FakeOpenAiUpstream.UpstreamKey),
                ApiKeyLast4 = "-key",
                Priority = 0,
                Weight = 1,
                Enabled = true,
                CreatedAt = now,
                UpdatedAt = now,
            };
            channel.Models.Add(new ChannelModel { Id = Ids.New(), ChannelId = channel.Id, PublicModelId = Model, UpstreamModelId = Model });
            db.Channels.Add(channel);
            if (anthropic is not null)
            {
                // The same prices, served by an Anthropic channel: /v1/messages passes through, chat completions are translated.
                db.AiModels.Add(new AiModel
                {
                    Id = Ids.New(),
                    PublicId = ClaudeModel,
                    DisplayName = ClaudeModel,
                    Kind = ModelKind.Chat,
                    InputPricePerMillionMicroYuan = 2_500_000,
                    OutputPricePerMillionMicroYuan = 10_000_000,
                    CachedInputPricePerMillionMicroYuan = 1_250_000,
                    ContextWindow = 200_000,
                    MaxOutputTokens = 16_384,
                    DefaultHoldOutputTokens = 1_000,
                    Tokenizer = ModelTokenizer.O200kBase,
                    Enabled = true,
                    CreatedAt = now,
                    UpdatedAt = now,
                });
                var claude = new Channel
                {
                    Id = Ids.New(),
                    Name = "fake-anthropic",
                    Type = ChannelType.Anthropic,
                    BaseUrl = anthropic.BaseUrl("ok"),
                    ApiKeyProtected = scope.ServiceProvider.GetRequiredService<ChannelSecrets>().Protect(FakeAnthropicUpstream.UpstreamKey),
                    ApiKeyLast4 = "test",
                    Priority = 0,
                    Weight = 1,
                    Enabled = true,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                claude.Models.Add(new ChannelModel { Id = Ids.New(), ChannelId = claude.Id, PublicModelId = ClaudeModel, UpstreamModelId = ClaudeModel });
                db.Channels.Add(claude);
            }

            var secret = ApiKeyFormat.Generate();
            db.ApiKeys.Add(new ApiKey
            {
                Id = Ids.New(),
                TenantId = tenantId,
                Name = "bench",
                Prefix = ApiKeyFormat.Prefix(secret),
                SecretHash = ApiKeyFormat.Hash(secret),
                Status = ApiKeyStatus.Active,
                CreatedByUserId = userId,
                CreatedAt = now,
                UpdatedAt = now,
            });
            await db.SaveChangesAsync();
            scope.ServiceProvider.GetRequiredService<IRelayCache>().CatalogChanged();
            return (tenantId, secret);
        }
    }

    private static async Task<int> CountUsageAsync(BenchmarkApp app, Guid tenantId)
    {
        await app.Services.GetRequiredService<SettlementWriter>().FlushAsync();
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.UsageRecords.IgnoreTenantFilter().CountAsync(u => u.TenantId == tenantId && u.Status == UsageStatus.Succeeded);
    }

    private static async Task<bool> InvariantHoldsAsync(BenchmarkApp app, Guid tenantId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var walletId = await db.Wallets.IgnoreTenantFilter().Where(w => w.TenantId == tenantId).Select(w => w.Id).SingleAsync();
        return (await scope.ServiceProvider.GetRequiredService<LedgerInvariant>().CheckAsync(walletId))?.Holds == true;
    }

    private static double P(List<double> values, double p)
    {
        var sorted = values.Where(v => v > 0).Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
