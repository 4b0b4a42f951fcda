using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Portal.IntegrationTests.Infrastructure;

/// <summary>
/// An Anthropic Messages upstream on a real Kestrel socket. It replays Anthropic's documented wire examples (the
/// <c>Messages</c> reference answer, and the basic streaming example with its <c>ping</c>), byte for byte, with cache
/// usage added. The first path segment chooses the behaviour: <c>/ok</c> answers, <c>/fail500</c> answers 500,
/// <c>/die</c> streams the first three events and drops the connection, <c>/badrequest</c> answers Anthropic's 400.
/// </summary>
public sealed partial class FakeAnthropicUpstream
{
    public const string UpstreamKey = "sk-ant-upstream-test";
    public const long InputTokens = 2095;
    public const long CacheReadTokens = 1000;
    public const long CacheWriteTokens = 200;
    public const long OutputTokens = 503;
    public const long StreamInputTokens = 25;
    public const long StreamOutputTokens = 15;

    private WebApplication? _app;

    public string BaseAddress { get; private set; } = "";

    /// <summary>Every request received, newest last: path, headers (copied) and body.</summary>
    public ConcurrentQueue<(string Path, Dictionary<string, string> Headers, string Body)> Requests { get; } = new();

    private static Dictionary<string, string> Copy(IHeaderDictionary headers) => headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());

    public string BaseUrl(string behaviour) => $"{BaseAddress}/{behaviour}";

    /// <summary>Anthropic's documented non-streaming answer (cache usage fields added).</summary>
    public static string MessageBody(string model) =>
        "{\"content\":[{\"text\":\"Hi! My name is Claude.\",\"type\":\"text\"}],\"id\":\"msg_013Zva2CMHLNnXjNJJKqJ2EF\",\"model\":\"" + model
        + "\",\"role\":\"assistant\",\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"type\":\"message\",\"usage\":{\"input_tokens\":" + InputTokens
        + ",\"cache_creation_input_tokens\":" + CacheWriteTokens + ",\"cache_read_input_tokens\":" + CacheReadTokens + ",\"output_tokens\":" + OutputTokens + "}}";

    /// <summary>Anthropic's documented basic streaming example, event by event.</summary>
    public static IReadOnlyList<string> StreamEvents(string model) =>
    [
        "event: message_start\ndata: {\"type\": \"message_start\", \"message\": {\"id\": \"msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY\", \"type\": \"message\", \"role\": \"assistant\", \"content\": [], \"model\": \"" + model + "\", \"stop_reason\": null, \"stop_sequence\": null, \"usage\": {\"input_tokens\": " + StreamInputTokens + ", \"output_tokens\": 1}}}\n\n",
        "event: content_block_start\ndata: {\"type\": \"content_block_start\", \"index\": 0, \"content_block\": {\"type\": \"text\", \"text\": \"\"}}\n\n",
        "event: ping\ndata: {\"type\": \"ping\"}\n\n",
        "event: content_block_delta\ndata: {\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": \"text_delta\", \"text\": \"Hello\"}}\n\n",
        "event: content_block_delta\ndata: {\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": \"text_delta\", \"text\": \"!\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\": \"content_block_stop\", \"index\": 0}\n\n",
        "event: message_delta\ndata: {\"type\": \"message_delta\", \"delta\": {\"stop_reason\": \"end_turn\", \"stop_sequence\":null}, \"usage\": {\"output_tokens\": " + StreamOutputTokens + "}}\n\n",
        "event: message_stop\ndata: {\"type\": \"message_stop\"}\n\n",
    ];

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/{behaviour}/v1/messages", HandleAsync);
        _app.MapPost("/{behaviour}/v1/messages/count_tokens", async (HttpContext context) =>
        {
            Requests.Enqueue((context.Request.Path, Copy(context.Request.Headers), await new StreamReader(context.Request.Body).ReadToEndAsync()));
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"input_tokens\":2095}");
        });
        await _app.StartAsync();
        BaseAddress = _app.Urls.First();
    }

    public async Task StopAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context, string behaviour)
    {
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        Requests.Enqueue((context.Request.Path, Copy(context.Request.Headers), body));
        var model = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("model").GetString()!;
        var stream = body.Contains("\"stream\":true", StringComparison.Ordinal);
        if (context.Request.Headers["x-api-key"] != UpstreamKey || context.Request.Headers["anthropic-version"] != "2023-06-01")
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsync("{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}");
            return;
        }

        switch (behaviour)
        {
            case "fail500":
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync("{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"}}");
                return;
            case "badrequest":
                context.Response.StatusCode = 400;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"messages: roles must alternate\"}}");
                return;
        }

        if (!stream)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(MessageBody(model));
            return;
        }

        context.Response.ContentType = "text/event-stream";
        var events = StreamEvents(model);
        var count = behaviour == "die" ? 3 : events.Count;
        for (var i = 0; i < count; i++)
        {
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(events[i]));
            await context.Response.Body.FlushAsync();
        }

        if (behaviour == "die")
        {
            // Let the relay read what was sent (a reset can drop unread bytes), then drop the connection mid-answer.
            await Task.Delay(300);
            context.Abort();
        }
    }
}
