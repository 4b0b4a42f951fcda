using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Relay.Access;
using Portal.Relay.Auth;
using Portal.Relay.Catalog;
using Portal.Relay.Endpoints;
using Portal.Relay.Errors;

namespace Portal.Relay.Tokenize;

/// <summary>
/// <c>POST /v1/tokenize</c>: a chat completions or embeddings request body in, its token count with the model's tokenizer
/// (the relay's own counting), the estimated cost at the current price and the plan credit it would use out. Key
/// authenticated like the relay, free (nothing is held, charged or recorded), rate-limited per key
/// (<see cref="TokenizeOptions.RequestsPerMinute"/>); errors in OpenAI's shape.
/// </summary>
internal sealed class TokenizeEndpoint(
    RelayAuthenticator authenticator,
    CatalogCache catalog,
    RateLimiter rateLimiter,
    IDbContextFactory<PortalDbContext> dbFactory,
    IOptions<TokenizeOptions> options,
    TimeProvider clock)
{
    public async Task HandleAsync(HttpContext context)
    {
        context.Response.Headers[RelayHttp.RequestIdHeader] = RelayHttp.NewRequestId();
        var (key, refused) = await authenticator.AuthenticateAsync(context);
        if (refused is not null)
        {
            await RelayHttp.WriteErrorAsync(context, refused);
            return;
        }

        var limit = options.Value.RequestsPerMinute;
        var decision = rateLimiter.TryAcquire("tokenize:" + key!.RateKey, limit);
        decision.WriteHeaders(context.Response.Headers);
        if (!decision.IsAllowed)
        {
            await RelayHttp.WriteErrorAsync(context, OpenAiErrors.RateLimitExceeded(limit, decision.RetryAfter));
            return;
        }

        var body = await RelayHttp.ReadBodyAsync(context, options.Value.MaxBodyBytes);
        try
        {
            if (body.IsTooLarge)
            {
                await RelayHttp.WriteErrorAsync(context, OpenAiErrors.RequestTooLarge(options.Value.MaxBodyBytes));
                return;
            }

            if (ModelOf(body.Span) is not { } modelId)
            {
                await RelayHttp.WriteErrorAsync(context, OpenAiErrors.InvalidRequest("you must provide a model parameter", "model", "missing_required_parameter"));
                return;
            }

            var snapshot = await catalog.GetAsync();
            if (!snapshot.Models.TryGetValue(modelId, out var model))
            {
                await RelayHttp.WriteErrorAsync(context, OpenAiErrors.ModelNotFound(modelId));
                return;
            }

            if (!key.MayUse(modelId))
            {
                await RelayHttp.WriteErrorAsync(context, OpenAiErrors.ModelNotAllowed(modelId));
                return;
            }

            var planCredit = await PlanCreditAsync(key.TenantId, context.RequestAborted);
            var estimate = TokenCalculator.Estimate(body.Span, model.Kind, model.Encoding, model.Prices, planCredit);
            if (!estimate.IsSuccess)
            {
                await RelayHttp.WriteErrorAsync(context, OpenAiErrors.InvalidRequest((InvalidRequestError)estimate.Error));
                return;
            }

            await WriteAsync(context, modelId, estimate.Value, planCredit);
        }
        finally
        {
            if (body.Buffer is not null) ArrayPool<byte>.Shared.Return(body.Buffer);
        }
    }

    /// <summary>The body's <c>model</c> when it is a JSON object with a non-empty string there; validation proper follows.</summary>
    private static string? ModelOf(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isModel = reader.ValueTextEquals("model"u8);
                reader.Read();
                if (isModel) return reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 } m ? m : null;
                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private async Task<Money> PlanCreditAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var wallet = await db.Wallets.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(w => w.TenantId == tenantId, cancellationToken);
        return wallet?.LivePlanCredit(clock.GetUtcNow()) ?? Money.Zero;
    }

    private static async Task WriteAsync(HttpContext context, string model, TokenEstimate estimate, Money planCredit)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("object"u8, "tokenize"u8);
            writer.WriteString("model"u8, model);
            writer.WriteString("tokenizer"u8, TokenCalculator.EncodingName(estimate.Encoding));
            writer.WriteNumber("input_tokens"u8, estimate.InputTokens);
            writer.WriteNumber("max_output_tokens"u8, estimate.OutputTokens);
            writer.WriteStartObject("estimated_cost"u8);
            writer.WriteString("currency"u8, "CNY"u8);
            writer.WriteString("input"u8, Yuan(estimate.InputCost));
            writer.WriteString("output"u8, Yuan(estimate.OutputCost));
            writer.WriteString("total"u8, Yuan(estimate.Total));
            writer.WriteNumber("total_micro_yuan"u8, estimate.Total.MicroYuan);
            writer.WriteEndObject();
            writer.WriteStartObject("plan_credit"u8);
            writer.WriteString("available"u8, Yuan(planCredit));
            writer.WriteString("would_use"u8, Yuan(estimate.PlanCredit));
            writer.WriteEndObject();
            writer.WriteString("wallet_would_pay"u8, Yuan(estimate.Wallet));
            writer.WriteBoolean("charged"u8, false);
            writer.WriteEndObject();
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    /// <summary>Yuan with six decimals, <c>"0.001250"</c>: per-request amounts are fractions of a fen.</summary>
    private static string Yuan(Money amount) => (amount.MicroYuan / 1_000_000m).ToString("0.000000", CultureInfo.InvariantCulture);
}

public static class TokenizeFeature
{
    /// <summary>The free token counting endpoint; options <c>Tokenize:*</c>. Needs <see cref="RelayFeature.AddRelay"/>.</summary>
    public static IServiceCollection AddRelayTokenize(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TokenizeOptions>().Bind(configuration.GetSection(TokenizeOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TokenizeEndpoint>();
        return services;
    }

    public static IEndpointRouteBuilder MapRelayTokenize(this IEndpointRouteBuilder app)
    {
        var endpoint = app.ServiceProvider.GetRequiredService<TokenizeEndpoint>();
        app.MapPost("/v1/tokenize", endpoint.HandleAsync).AllowAnonymous().DisableAntiforgery().WithMetadata(new RelayEndpointMetadata()).ShortCircuit();
        return app;
    }
}
