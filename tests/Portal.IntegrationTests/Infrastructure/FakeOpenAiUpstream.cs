using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Portal.IntegrationTests.Infrastructure;

/// <summary>
/// An OpenAI-compatible upstream on a real Kestrel socket, for the relay's tests and benchmark. Its behaviour is
/// chosen by the first path segment of the channel's base URL: <c>/ok/v1</c> answers, <c>/fail500/v1</c> answers 500,
/// <c>/die/v1</c> streams two chunks then drops the connection, <c>/hang/v1</c> never answers, <c>/nousage/v1</c>
/// answers without <c>usage</c>, <c>/badrequest/v1</c> answers 400. Answers are fixed bytes (with fields the relay does
/// not know) so tests can compare what the client got byte for byte.
/// </summary>
public sealed partial class FakeOpenAiUpstream
{
    public const long PromptTokens = 21;
    public const long CompletionTokens = 9;
    public const long EmbeddingTokens = 5;
    public const string UpstreamKey = "sk-upstream-test-key";

    private WebApplication? _app;

    public string BaseAddress { get; private set; } = "";

    /// <summary>Every request body received, newest last, with the path and the Authorization header.</summary>
    public ConcurrentQueue<(string Path, string? Authorization, string Body)> Requests { get; } = new();

    /// <summary>Requests per behaviour (path segment).</summary>
    public ConcurrentDictionary<string, int> Hits { get; } = new();

    public string BaseUrl(string behaviour) => $"{BaseAddress}/{behaviour}/v1";

    /// <summary>The exact non-streaming chat body every <c>ok</c> channel answers.</summary>
    public static string ChatBody(string model) =>
        """{"id":"chatcmpl-fake1","object":"chat.completion","created":1730000000,"model":"__H0__","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the fake upstream.","refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":__H1__,"completion_tokens":__H2__,"total_tokens":__H3__,"prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}},"service_tier":"default","system_fingerprint":"fp_fake","x_vendor_extension":{"kept":true}}""".Replace("__H0__", (model).ToString()).Replace("__H1__", (PromptTokens).ToString()).Replace("__H2__", (CompletionTokens).ToString()).Replace("__H3__", (PromptTokens + CompletionTokens).ToString());

    /// <summary>The streamed events (each a whole SSE event) an <c>ok</c> channel sends; the usage event only when asked.</summary>
    public static IReadOnlyList<string> ChatEvents(string model, bool includeUsage)
    {
        var head = """{"id":"chatcmpl-fake2","object":"chat.completion.chunk","created":1730000000,"model":"__H0__","system_fingerprint":"fp_fake","x_vendor_extension":1""".Replace("__H0__", (model).ToString());
        var usageField = includeUsage ? ",\"usage\":null" : "";
        var events = new List<string>
        {
            """data: __H0__,"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]__H1__}""".Replace("__H0__", (head).ToString()).Replace("__H1__", (usageField).ToString()) + "\n\n",
            """data: __H0__,"choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}]__H1__}""".Replace("__H0__", (head).ToString()).Replace("__H1__", (usageField).ToString()) + "\n\n",
            """data: __H0__,"choices":[{"index":0,"delta":{"content":" from the fake upstream."},"logprobs":null,"finish_reason":null}]__H1__}""".Replace("__H0__", (head).ToString()).Replace("__H1__", (usageField).ToString()) + "\n\n",
            """data: __H0__,"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]__H1__}""".Replace("__H0__", (head).ToString()).Replace("__H1__", (usageField).ToString()) + "\n\n",
        };
        if (includeUsage)
            events.Add("""data: __H0__,"choices":[],"usage":{"prompt_tokens":__H1__,"completion_tokens":__H2__,"total_tokens":__H3__}}""".Replace("__H0__", (head).ToString()).Replace("__H1__", (PromptTokens).ToString()).Replace("__H2__", (CompletionTokens).ToString()).Replace("__H3__", (PromptTokens + CompletionTokens).ToString()) + "\n\n");
        events.Add("data: [DONE]\n\n");
        return events;
    }

    public static string EmbeddingsBody(string model, bool base64)
    {
        var vector = base64
            ? "\"" + Convert.ToBase64String(new float[] { 0.25f, -0.5f, 0.75f }.SelectMany(BitConverter.GetBytes).ToArray()) + "\""
            : "[0.25,-0.5,0.75]";
        return """{"object":"list","data":[{"object":"embedding","index":0,"embedding":__H0__}],"model":"__H1__","usage":{"prompt_tokens":__H2__,"total_tokens":__H3__}}""".Replace("__H0__", (vector).ToString()).Replace("__H1__", (model).ToString()).Replace("__H2__", (EmbeddingTokens).ToString()).Replace("__H3__", (EmbeddingTokens).ToString());
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/{behaviour}/v1/chat/completions", HandleChatAsync);
        _app.MapPost("/{behaviour}/v1/embeddings", HandleEmbeddingsAsync);
        await _app.StartAsync();
        BaseAddress = _app.Urls.First();
    }

    public async Task StopAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    private async Task<(string Body, JsonElement Json)> ReceiveAsync(HttpContext context, string behaviour)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        Requests.Enqueue((context.Request.Path, context.Request.Headers.Authorization.ToString(), body));
        Hits.AddOrUpdate(behaviour, 1, (_, n) => n + 1);
        return (body, JsonDocument.Parse(body).RootElement.Clone());
    }

    private async Task HandleChatAsync(HttpContext context, string behaviour)
    {
        var (_, json) = await ReceiveAsync(context, behaviour);
        var model = json.GetProperty("model").GetString()!;
        var stream = json.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        var includeUsage = json.TryGetProperty("stream_options", out var o) && o.TryGetProperty("include_usage", out var u) && u.ValueKind == JsonValueKind.True;
        switch (behaviour)
        {
            case "fail500":
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync("""{"error":{"message":"upstream exploded","type":"server_error","param":null,"code":null}}""");
                return;
            case "badrequest":
                context.Response.StatusCode = 400;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("""{"error":{"message":"Invalid value for 'temperature'.","type":"invalid_request_error","param":"temperature","code":"invalid_value"}}""");
                return;
            case "hang":
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
                return;
        }

        if (behaviour == "echo")
        {
            await EchoAsync(context, json, model, stream, includeUsage);
            return;
        }

        if (!stream)
        {
            context.Response.ContentType = "application/json";
            var body = ChatBody(model);
            if (behaviour == "nousage") body = body[..body.IndexOf(",\"usage\"", StringComparison.Ordinal)] + "}";
            await context.Response.WriteAsync(body);
            return;
        }

        context.Response.ContentType = "text/event-stream; charset=utf-8";
        var events = ChatEvents(model, includeUsage && behaviour != "nousage");
        for (var i = 0; i < events.Count; i++)
        {
            if (behaviour == "die" && i == 2)
            {
                // An abort resets the connection, and a reset discards what the relay has not read yet: give it time to read.
                await context.Response.Body.FlushAsync();
                await Task.Delay(300);
                context.Abort();
                return;
            }

            await context.Response.WriteAsync(events[i]);
            await context.Response.Body.FlushAsync();
        }
    }

    /// <summary>
    /// <c>/echo/v1</c>: answers with the last message's text, so tests see what the upstream received come back (streamed
    /// in three-character pieces, so placeholders are split across events).
    /// </summary>
    private static async Task EchoAsync(HttpContext context, JsonElement json, string model, bool stream, bool includeUsage)
    {
        var last = json.GetProperty("messages").EnumerateArray().Last().GetProperty("content");
        var text = last.ValueKind == JsonValueKind.String ? last.GetString()! : string.Concat(last.EnumerateArray().Select(p => p.TryGetProperty("text", out var t) ? t.GetString() : ""));
        var encoded = JsonSerializer.Serialize(text);
        if (!stream)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(ChatBody(model).Replace("\"Hello from the fake upstream.\"", encoded, StringComparison.Ordinal));
            return;
        }

        context.Response.ContentType = "text/event-stream; charset=utf-8";
        var events = ChatEvents(model, includeUsage);
        await context.Response.WriteAsync(events[0]);
        for (var i = 0; i < text.Length; i += 3)
        {
            var piece = JsonSerializer.Serialize(text.Substring(i, Math.Min(3, text.Length - i)));
            await context.Response.WriteAsync(events[1].Replace("\"Hello\"", piece, StringComparison.Ordinal));
            await context.Response.Body.FlushAsync();
        }

        foreach (var e in events.Skip(3)) await context.Response.WriteAsync(e);
    }

    private async Task HandleEmbeddingsAsync(HttpContext context, string behaviour)
    {
        var (_, json) = await ReceiveAsync(context, behaviour);
        if (behaviour == "fail500")
        {
            context.Response.StatusCode = 500;
            return;
        }

        var base64 = json.TryGetProperty("encoding_format", out var f) && f.GetString() == "base64";
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(EmbeddingsBody(json.GetProperty("model").GetString()!, base64));
    }
}
