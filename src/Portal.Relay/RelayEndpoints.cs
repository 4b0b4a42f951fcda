using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Relay.Endpoints;
using Portal.Relay.Errors;

namespace Portal.Relay;

/// <summary>
/// The OpenAI-compatible <c>/v1</c> surface: chat completions, embeddings, models and the two billing endpoints
/// clients read for the balance. Every answer carries <c>x-request-id</c>; every failure is OpenAI's JSON error shape.
/// </summary>
public static class RelayEndpoints
{
    public static IEndpointRouteBuilder MapRelay(this IEndpointRouteBuilder app)
    {
        var requests = app.ServiceProvider.GetRequiredService<RelayRequests>();
        var models = app.ServiceProvider.GetRequiredService<ModelsEndpoint>();
        var billing = app.ServiceProvider.GetRequiredService<BillingEndpoints>();
        // ShortCircuit: once routing matched a /v1 endpoint it runs at once, skipping the portal's middleware (exception page,
        // status code pages, localization, cookies, antiforgery) that an API key client never needs; the relay answers its
        // own errors in OpenAI's shape.
        var v1 = app.MapGroup("/v1");
        v1.AllowAnonymous().DisableAntiforgery().WithMetadata(new RelayEndpointMetadata()).ShortCircuit();

        v1.MapPost("/chat/completions", requests.ChatCompletionsAsync);
        v1.MapPost("/embeddings", requests.EmbeddingsAsync);
        v1.MapPost("/messages", requests.MessagesAsync);
        v1.MapPost("/messages/count_tokens", requests.CountTokensAsync);
        v1.MapPost("/responses", requests.ResponsesAsync);
        v1.MapGet("/models", models.ListAsync);
        v1.MapGet("/models/{**id}", (HttpContext context, string id) => models.GetAsync(context, id));
        v1.MapGet("/dashboard/billing/subscription", billing.SubscriptionAsync);
        v1.MapGet("/dashboard/billing/usage", billing.UsageAsync);
        // Also reachable without the /v1 prefix, where several chat clients look for them.
        app.MapGet("/dashboard/billing/subscription", billing.SubscriptionAsync).AllowAnonymous().ShortCircuit();
        app.MapGet("/dashboard/billing/usage", billing.UsageAsync).AllowAnonymous().ShortCircuit();

        v1.Map("/{**path}", static context =>
        {
            context.Response.Headers[RelayHttp.RequestIdHeader] = RelayHttp.NewRequestId();
            return RelayHttp.WriteErrorAsync(context, OpenAiErrors.UnknownUrl(context.Request.Method, context.Request.Path));
        });
        return app;
    }
}

/// <summary>Marks the relay's endpoints (for middleware that should leave them alone).</summary>
public sealed class RelayEndpointMetadata;
