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
/// Upstreams of the other wire families on a real Kestrel socket, each replaying the provider's documented examples from
/// <c>Fixtures/Protocols</c> byte for byte: OpenAI's Responses API (<c>{base}/{behaviour}/v1/responses</c>), Google's
/// Gemini (<c>{base}/{behaviour}/v1beta/models/{model}:generateContent</c>, <c>:streamGenerateContent?alt=sse</c>)
/// and Azure OpenAI (<c>{base}/{behaviour}/openai/deployments/{deployment}/chat/completions</c>).
/// A request with <c>tools</c> gets the function-call example, any other the text one. Behaviours: <c>ok</c>,
/// <c>fail500</c>, <c>badrequest</c> (the provider's own 400 body) and <c>die</c> (two events, then the connection drops).
/// Each checks its provider's key header and answers 401/403 in the provider's shape without it.
/// </summary>
public sealed class FakeProtocolUpstream : IAsyncLifetime
{
    public const string UpstreamKey = FakeOpenAiUpstream.UpstreamKey;

    private WebApplication? _app;

    public string BaseAddress { get; private set; } = "";

    /// <summary>Every request received: path and query, the headers that carry keys and versions, and the body.</summary>
    public ConcurrentQueue<Received> Requests { get; } = new();

    public sealed record Received(string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);

    /// <summary>The base URL a channel of the given family uses for <paramref name="behaviour"/>.</summary>
    public string BaseUrl(string behaviour, bool openAiV1 = false) => openAiV1 ? $"{BaseAddress}/{behaviour}/v1" : $"{BaseAddress}/{behaviour}";

    /// <summary>A fixture's exact text.</summary>
    public static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Protocols", name));

    /// <summary>The whole events of an SSE fixture (each with its blank line).</summary>
    public static IReadOnlyList<string> Events(string name)
    {
        var text = Fixture(name);
        var separator = text.Contains("\r\n\r\n", StringComparison.Ordinal) ? "\r\n\r\n" : "\n\n";
        return text.Split(separator, StringSplitOptions.RemoveEmptyEntries).Select(e => e + separator).ToList();
    }

    async Task IAsyncLifetime.InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/{behaviour}/v1/responses", HandleResponsesAsync);
        _app.MapPost("/{behaviour}/v1beta/models/{**call}", HandleGeminiAsync);
        _app.MapPost("/{behaviour}/openai/deployments/{deployment}/{**operation}", HandleAzureAsync);
        await _app.StartAsync();
        BaseAddress = _app.Urls.First();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    private async Task<JsonElement> ReceiveAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers
            .Where(h => h.Key is "Authorization" or "api-key" or "x-goog-api-key" or "Accept" or "Content-Type")
            .ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        Requests.Enqueue(new Received(context.Request.Path + context.Request.QueryString, headers, body));
        try
        {
            return JsonDocument.Parse(body).RootElement.Clone();
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static bool HasTools(JsonElement json) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0;

    private static bool Streams(JsonElement json) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;

    private async Task HandleResponsesAsync(HttpContext context, string behaviour)
    {
        var json = await ReceiveAsync(context);
        if (context.Request.Headers.Authorization != "Bearer " + UpstreamKey)
        {
            await WriteJsonAsync(context, 401, """{"error":{"message":"Incorrect API key provided.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""");
            return;
        }

        if (await CommonFailureAsync(context, behaviour, """{"error":{"message":"Invalid value: 'banana'. Supported values are: 'auto' and 'disabled'.","type":"invalid_request_error","param":"truncation","code":"invalid_value"}}"""))
            return;
        var name = HasTools(json) ? "responses-function-call" : "responses-text";
        if (Streams(json)) await StreamAsync(context, behaviour, Events(name + ".sse"), "text/event-stream; charset=utf-8");
        else await WriteJsonAsync(context, 200, Fixture(name + ".json"));
    }

    private async Task HandleGeminiAsync(HttpContext context, string behaviour, string call)
    {
        var json = await ReceiveAsync(context);
        if (context.Request.Headers["x-goog-api-key"] != UpstreamKey)
        {
            await WriteJsonAsync(context, 403, """{"error":{"code":403,"message":"Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.","status":"PERMISSION_DENIED"}}""");
            return;
        }

        if (await CommonFailureAsync(context, behaviour, Fixture("gemini-error-400.json"))) return;
        var operation = call[(call.LastIndexOf(':') + 1)..];
        switch (operation)
        {
            case "generateContent":
                await WriteJsonAsync(context, 200, Fixture(HasTools(json) ? "gemini-function-call.json" : "gemini-text.json"));
                return;
            case "embedContent":
                await WriteJsonAsync(context, 200, Fixture("gemini-embed.json"));
                return;
            case "batchEmbedContents":
                await WriteJsonAsync(context, 200, Fixture("gemini-batch-embed.json"));
                return;
            case "streamGenerateContent" when context.Request.Query["alt"] == "sse":
                await StreamAsync(context, behaviour, Events(HasTools(json) ? "gemini-function-call.sse" : "gemini-text.sse"), "text/event-stream");
                return;
            default:
                await WriteJsonAsync(context, 404, """{"error":{"code":404,"message":"Not found.","status":"NOT_FOUND"}}""");
                return;
        }
    }

    private async Task HandleAzureAsync(HttpContext context, string behaviour, string deployment, string operation)
    {
        var json = await ReceiveAsync(context);
        if (context.Request.Headers["api-key"] != UpstreamKey)
        {
            await WriteJsonAsync(context, 401, """{"error":{"code":"401","message":"Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource."}}""");
            return;
        }

        if (string.IsNullOrEmpty(context.Request.Query["api-version"]))
        {
            await WriteJsonAsync(context, 404, """{"error":{"code":"404","message":"Resource not found"}}""");
            return;
        }

        if (await CommonFailureAsync(context, behaviour, """{"error":{"message":"Invalid value for 'temperature'.","type":"invalid_request_error","param":"temperature","code":"invalid_value"}}""")) return;
        if (operation != "chat/completions")
        {
            await WriteJsonAsync(context, 404, """{"error":{"code":"404","message":"Resource not found"}}""");
            return;
        }

        if (Streams(json)) await StreamAsync(context, behaviour, Events("azure-chat.sse"), "text/event-stream");
        else await WriteJsonAsync(context, 200, Fixture("azure-chat.json"));
    }

    private static async Task<bool> CommonFailureAsync(HttpContext context, string behaviour, string badRequestBody)
    {
        switch (behaviour)
        {
            case "fail500":
                await WriteJsonAsync(context, 500, """{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}""");
                return true;
            case "badrequest":
                await WriteJsonAsync(context, 400, badRequestBody);
                return true;
            default:
                return false;
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body);
    }

    private static async Task StreamAsync(HttpContext context, string behaviour, IReadOnlyList<string> events, string contentType)
    {
        context.Response.ContentType = contentType;
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
}
