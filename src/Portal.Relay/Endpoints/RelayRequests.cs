using System.Buffers;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Features.Catalog;
using Portal.Core.Features.Usage;
using Portal.Relay.Access;
using Portal.Relay.Admission;
using Portal.Relay.Auth;
using Portal.Relay.Billing;
using Portal.Relay.Catalog;
using Portal.Relay.Errors;
using Portal.Relay.Forwarding;
using Portal.Relay.Protocols.Responses;
using Portal.Relay.Settlement;
using Portal.Relay.Streaming;
using Portal.Relay.Tokens;

namespace Portal.Relay.Endpoints;

/// <summary>
/// <c>POST /v1/chat/completions</c> and <c>POST /v1/embeddings</c>: authenticate → check the key's scope → admission
/// (hold the maximum cost from the lease and the key budget) → forward with failover → stream or write the answer
/// back unchanged → meter → settle (queue the usage record for the batch writer). Nothing here waits on the database
/// unless a cache is cold, a lease must grow, or the key has a budget.
/// </summary>
internal sealed partial class RelayRequests(
    RelayAuthenticator authenticator,
    CatalogCache catalog,
    RateLimiter rateLimiter,
    WalletLeases leases,
    KeyBudgets budgets,
    UpstreamForwarder forwarder,
    SettlementWriter settlement,
    IOptions<RelayOptions> options,
    TimeProvider clock,
    ILogger<RelayRequests> logger)
{
    private readonly long _maxBodyBytes = options.Value.MaxBodyBytes;

    public Task ChatCompletionsAsync(HttpContext context) => HandleAsync(context, UsageEndpoint.ChatCompletions);

    public Task EmbeddingsAsync(HttpContext context) => HandleAsync(context, UsageEndpoint.Embeddings);

    public Task ResponsesAsync(HttpContext context) => HandleAsync(context, UsageEndpoint.Responses);

    private async Task HandleAsync(HttpContext context, UsageEndpoint endpoint)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = RelayHttp.NewRequestId();
        context.Response.Headers[RelayHttp.RequestIdHeader] = requestId;
        BodyRead body = default;
        try
        {
            var (key, refused) = await authenticator.AuthenticateAsync(context);
            if (refused is not null)
            {
                await RelayHttp.WriteErrorAsync(context, refused);
                return;
            }

            body = await RelayHttp.ReadBodyAsync(context, _maxBodyBytes);
            if (body.IsTooLarge)
            {
                await RelayHttp.WriteErrorAsync(context, OpenAiErrors.RequestTooLarge(_maxBodyBytes));
                return;
            }

            var request = Shape(endpoint, body.Span);
            if (request.Error is not null)
            {
                await RelayHttp.WriteErrorAsync(context, request.Error);
                return;
            }

            var snapshot = await catalog.GetAsync();
            var error = Scope(key!, snapshot, endpoint, request.Model, out var model);
            if (error is null && key!.RequestsPerMinute is { } limit)
            {
                var decision = rateLimiter.TryAcquire(key.RateKey, limit);
                decision.WriteHeaders(context.Response.Headers);
                if (!decision.IsAllowed) error = OpenAiErrors.RateLimitExceeded(limit, decision.RetryAfter);
            }

            if (error is not null)
            {
                await RelayHttp.WriteErrorAsync(context, error);
                return;
            }

            await AdmitAndForwardAsync(context, endpoint, key!, model!, request, body, requestId, started);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away before anything was admitted or after everything was settled: nothing to answer.
        }
        catch (Exception e)
        {
            logger.LogError(e, "Relay request {RequestId} failed.", requestId);
            await RelayHttp.WriteErrorAsync(context, OpenAiErrors.InternalError(requestId));
        }
        finally
        {
            if (body.Buffer is not null) ArrayPool<byte>.Shared.Return(body.Buffer);
        }
    }

    private readonly record struct RequestShape(string Model, bool Stream, int? MaxOutputTokens, bool IncludeUsage, OpenAiErrorResponse? Error)
    {
        /// <summary>The decoded body of a <c>/v1/responses</c> request.</summary>
        public ResponsesRequest? Responses { get; init; }
    }

    private static RequestShape Shape(UsageEndpoint endpoint, ReadOnlySpan<byte> json)
    {
        if (endpoint == UsageEndpoint.Responses) return ResponsesShape(json);
        if (endpoint == UsageEndpoint.ChatCompletions)
        {
            var chat = ChatRequestShape.Validate(json);
            return chat.IsSuccess
                ? new RequestShape(chat.Value.Model, chat.Value.Stream, chat.Value.MaxOutputTokens, chat.Value.IncludeUsage, null)
                : new RequestShape("", false, null, false, OpenAiErrors.InvalidRequest((InvalidRequestError)chat.Error));
        }

        var embeddings = EmbeddingsRequestShape.Validate(json);
        return embeddings.IsSuccess
            ? new RequestShape(embeddings.Value.Model, false, null, false, null)
            : new RequestShape("", false, null, false, OpenAiErrors.InvalidRequest((InvalidRequestError)embeddings.Error));
    }

    private static OpenAiErrorResponse? Scope(RelayKey key, CatalogSnapshot snapshot, UsageEndpoint endpoint, string modelId, out RelayModel? model)
    {
        if (!snapshot.Models.TryGetValue(modelId, out model)) return OpenAiErrors.ModelNotFound(modelId);
        if (!key.MayUse(modelId)) return OpenAiErrors.ModelNotAllowed(modelId);
        var wanted = endpoint == UsageEndpoint.Embeddings ? ModelKind.Embedding : ModelKind.Chat;
        if (model.Kind != wanted)
            return OpenAiErrors.ModelNotSupported(modelId, endpoint switch { UsageEndpoint.Embeddings => "embeddings", UsageEndpoint.Responses => "responses", _ => "chat completions" });
        return model.Routes.Length == 0 ? OpenAiErrors.UpstreamUnavailable(modelId) : null;
    }

    private async Task AdmitAndForwardAsync(HttpContext context, UsageEndpoint endpoint, RelayKey key, RelayModel model, RequestShape request, BodyRead body, string requestId, long started)
    {
        // Admission: the most this request can cost — the prompt as the tokenizer counts it plus max_tokens (or the
        // model's default) of output — held from the lease, then from the key's monthly budget.
        var promptTokens = endpoint switch
        {
            UsageEndpoint.ChatCompletions => TokenCounter.Shared.CountChatPrompt(body.Span, model.Encoding),
            UsageEndpoint.Responses => ResponsesPromptTokens.Count(request.Responses!, model.Encoding),
            _ => TokenCounter.Shared.CountEmbeddingsInput(body.Span, model.Encoding),
        };
        var outputTokens = endpoint != UsageEndpoint.Embeddings ? request.MaxOutputTokens ?? model.DefaultHoldOutputTokens : 0;
        var hold = Pricing.HoldFor(promptTokens, outputTokens, model.Prices).MicroYuan;
        var now = clock.GetUtcNow();
        var account = leases.Account(key.TenantId);
        var held = await leases.HoldAsync(account, hold, context.RequestAborted);
        if (held != HoldOutcome.Held)
        {
            await RelayHttp.WriteErrorAsync(context, OpenAiErrors.InsufficientQuota());
            return;
        }

        var month = KeyBudgets.MonthOf(now);
        long budgetHold = 0;
        if (key.MonthlyBudgetMicroYuan is { } budget)
        {
            bool withinBudget;
            try
            {
                withinBudget = await budgets.TryHoldAsync(key.Id, key.TenantId, month, hold, budget);
            }
            catch
            {
                leases.Release(account, hold);
                throw;
            }

            if (!withinBudget)
            {
                leases.Release(account, hold);
                await RelayHttp.WriteErrorAsync(context, OpenAiErrors.KeyBudgetExceeded());
                return;
            }

            budgetHold = hold;
        }

        var admitted = new Admitted(key, model, account, hold, budgetHold, month, now, requestId, started, endpoint, request.Stream, request.IncludeUsage,
            promptTokens, RelayHttp.ClientIp(context.Connection.RemoteIpAddress))
        {
            Responses = request.Responses,
        };
        Outcome outcome;
        try
        {
            outcome = await ForwardAsync(context, admitted, body);
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            // A fault of the relay itself: settle as failed (nothing charged) so the holds come back, then answer 500.
            await SettleAsync(admitted, Outcome.Failed(500, "internal_error", null));
            throw;
        }
        catch (OperationCanceledException)
        {
            await SettleAsync(admitted, Outcome.Failed(499, "client_cancelled", null));
            throw;
        }

        await SettleAsync(admitted, outcome);
    }

    private sealed record Admitted(
        RelayKey Key,
        RelayModel Model,
        TenantAccount Account,
        long Hold,
        long BudgetHold,
        int Month,
        DateTimeOffset At,
        string RequestId,
        long Started,
        UsageEndpoint Endpoint,
        bool Stream,
        bool ClientWantsUsage,
        long PromptTokens,
        string ClientIp)
    {
        /// <summary>The decoded body of a <c>/v1/responses</c> request.</summary>
        public ResponsesRequest? Responses { get; init; }
    }

    /// <summary>What happened, for metering and the usage record.</summary>
    private sealed record Outcome(UsageStatus Status, int HttpStatus, string? ErrorCode, ChannelRuntime? Channel, TokenUsage? Usage, long? FirstByteTimestamp)
    {
        public static Outcome Failed(int httpStatus, string errorCode, ChannelRuntime? channel) => new(UsageStatus.Failed, httpStatus, errorCode, channel, null, null);
    }

    /// <summary>What the relay sends a channel and how the answer reaches the client.</summary>
    private enum Wire
    {
        /// <summary>Chat completions, passed through.</summary>
        Chat,

        /// <summary>Embeddings, passed through.</summary>
        Embeddings,

        /// <summary>A Responses request to a channel that serves the Responses API, passed through.</summary>
        ResponsesPassThrough,

        /// <summary>A Responses request translated to chat completions, the answer translated back.</summary>
        ResponsesFromChat,
    }

    private async Task<Outcome> ForwardAsync(HttpContext context, Admitted admitted, BodyRead body)
    {
        using var rewritten = new PooledByteBuffer(body.Length + 64);
        var tried = 0;
        var open = 0;
        var timedOut = 0;
        ChannelRuntime? last = null;
        foreach (var route in admitted.Model.AttemptOrder())
        {
            rewritten.Reset();
            var wire = Plan(admitted, route, body.Span, rewritten);
            if (wire is not { } plan) continue;
            var upstreamEndpoint = plan switch
            {
                Wire.Embeddings => UpstreamEndpoint.Embeddings,
                Wire.ResponsesPassThrough => UpstreamEndpoint.Responses,
                _ => UpstreamEndpoint.ChatCompletions,
            };
            var attempt = await forwarder.SendAsync(route.Channel, upstreamEndpoint, rewritten.WrittenMemory, admitted.Stream, context.RequestAborted, upstreamModel: route.UpstreamModelId);
            await using (attempt)
            {
                last = route.Channel;
                switch (attempt.Kind)
                {
                    case AttemptKind.Success when attempt.Events is not null:
                        return await StreamAsync(context, admitted, attempt, route.Channel, plan);
                    case AttemptKind.Success:
                        return await WriteWholeAsync(context, admitted, attempt, route.Channel, plan);
                    case AttemptKind.ClientError:
                        // The upstream refused the request itself: every channel would. Its answer (OpenAI's error shape,
                        // whichever OpenAI API it was) goes to the client as is.
                        context.Response.StatusCode = attempt.Status;
                        context.Response.ContentType = attempt.ContentType ?? "application/json";
                        context.Response.ContentLength = attempt.Body!.Length;
                        await context.Response.Body.WriteAsync(attempt.Body, context.RequestAborted);
                        return Outcome.Failed(attempt.Status, "upstream_refused", route.Channel);
                }

                tried++;
                if (attempt.Status == 0 && attempt.Failure == "circuit open") open++;
                if (attempt.TimedOut) timedOut++;
                logger.LogInformation("Request {RequestId}: channel {Channel} failed ({Failure}); trying the next one.", admitted.RequestId, route.Channel.Settings.Name, attempt.Failure);
            }
        }

        // Every channel failed before its first byte (or none could take the request): nothing reached the client and
        // nothing is charged.
        var error = tried == 0 && admitted.Responses?.UntranslatableField is { } field ? ResponsesErrors.Untranslatable(field, admitted.Model.PublicId)
            : open == tried ? OpenAiErrors.UpstreamUnavailable(admitted.Model.PublicId)
            : timedOut == tried - open ? OpenAiErrors.UpstreamTimeout()
            : OpenAiErrors.UpstreamError();
        await RelayHttp.WriteErrorAsync(context, error);
        return Outcome.Failed(error.StatusCode, error.Error.Code!, last);
    }

    /// <summary>Writes the body for <paramref name="route"/>; null when this channel cannot take the request.</summary>
    private static Wire? Plan(Admitted admitted, ChannelRoute route, ReadOnlySpan<byte> body, PooledByteBuffer output)
    {
        switch (admitted.Endpoint)
        {
            case UsageEndpoint.Responses:
                var request = admitted.Responses!;
                var settings = route.Channel.Settings;
                if (settings.Type == ChannelType.OpenAICompatible && settings.SupportsResponsesApi)
                {
                    ResponsesPassThrough.Rewrite(body, request, route.UpstreamModelId, output);
                    return Wire.ResponsesPassThrough;
                }

                if (request.UntranslatableField is not null) return null;
                ResponsesToChat.Encode(request, route.UpstreamModelId, output);
                return Wire.ResponsesFromChat;
            case UsageEndpoint.Embeddings:
                RequestBodyRewriter.Rewrite(body, route.UpstreamModelId, ensureUsageWhenStreaming: false, output);
                return Wire.Embeddings;
            default:
                RequestBodyRewriter.Rewrite(body, route.UpstreamModelId, ensureUsageWhenStreaming: true, output);
                return Wire.Chat;
        }
    }

    private async Task<Outcome> WriteWholeAsync(HttpContext context, Admitted admitted, UpstreamAttempt attempt, ChannelRuntime channel, Wire wire)
    {
        var body = attempt.Body!;
        var firstByte = Stopwatch.GetTimestamp();
        TokenUsage usage;
        switch (wire)
        {
            case Wire.ResponsesPassThrough:
                using (var meter = new ResponsesMeter())
                {
                    meter.ObserveWhole(body);
                    usage = meter.Resolve(admitted.PromptTokens, admitted.Model.Encoding);
                }

                break;
            case Wire.ResponsesFromChat:
                usage = Meter(admitted, body);
                var reader = new ChatToResponses(ResponsesEncoderFor(context, admitted));
                if (!reader.Feed(body, null)) return await UnusableAnswerAsync(context, channel);
                body = reader.Encoder.WholeResponse(reader.Finish, usage);
                break;
            default:
                usage = Meter(admitted, body);
                break;
        }

        var response = context.Response;
        response.StatusCode = attempt.Status;
        response.ContentType = wire == Wire.ResponsesFromChat ? "application/json" : attempt.ContentType ?? "application/json";
        response.ContentLength = body.Length;
        try
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
            return new Outcome(UsageStatus.Succeeded, attempt.Status, null, channel, usage, firstByte);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The answer was generated (and billed to the platform) even though the client left before reading it.
            return new Outcome(UsageStatus.ClientCancelled, 499, "client_cancelled", channel, usage, firstByte);
        }
    }

    /// <summary>A 2xx answer the relay cannot read to translate it: the channel's fault, nothing charged.</summary>
    private static async Task<Outcome> UnusableAnswerAsync(HttpContext context, ChannelRuntime channel)
    {
        channel.Stats.Record(false, 0, "unreadable answer");
        var error = OpenAiErrors.UpstreamError();
        await RelayHttp.WriteErrorAsync(context, error);
        return Outcome.Failed(error.StatusCode, error.Error.Code!, channel);
    }

    private static TokenUsage Meter(Admitted admitted, byte[] body)
    {
        var info = ChunkInspector.Inspect(body, captureModel: false);
        if (info.Usage is { } reported) return reported;
        if (admitted.Endpoint == UsageEndpoint.Embeddings) return new TokenUsage(admitted.PromptTokens, 0, 0, IsEstimated: true);
        using var text = new PooledByteBuffer();
        ChunkInspector.Inspect(body, text, captureModel: false);
        var completion = TokenCounter.Shared.CountUtf8(text.WrittenSpan, admitted.Model.Encoding);
        return new TokenUsage(admitted.PromptTokens, 0, completion, IsEstimated: true);
    }

    private async Task<Outcome> StreamAsync(HttpContext context, Admitted admitted, UpstreamAttempt attempt, ChannelRuntime channel, Wire wire)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = attempt.ContentType;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var events = attempt.Events!;
        var writer = response.BodyWriter;
        var clientAborted = context.RequestAborted;
        using IAnswerStream answer = wire switch
        {
            Wire.ResponsesPassThrough => new ResponsesPassThroughStream(),
            Wire.ResponsesFromChat => new ResponsesFromChatStream(ResponsesEncoderFor(context, admitted), admitted.PromptTokens, admitted.Model.Encoding),
            _ => new ChatPassThroughStream(admitted.ClientWantsUsage),
        };
        long? firstByte = null;
        var status = UsageStatus.Succeeded;
        string? errorCode = null;
        var upstreamBroke = false;
        try
        {
            do
            {
                var step = answer.Write(events.Current, writer);
                if (step == StreamStep.Skipped) continue;
                var flushed = await writer.FlushAsync(clientAborted);
                firstByte ??= Stopwatch.GetTimestamp();
                if (flushed.IsCanceled || flushed.IsCompleted || clientAborted.IsCancellationRequested) throw new OperationCanceledException(clientAborted);
                if (step == StreamStep.End) break;
            }
            while (await events.ReadAsync(attempt.Token));

            if (!answer.Complete) upstreamBroke = true;
        }
        catch (Exception) when (clientAborted.IsCancellationRequested)
        {
            // The client left mid-stream: the upstream is cancelled (the attempt is disposed) and what was generated is charged.
            status = UsageStatus.ClientCancelled;
            errorCode = "client_cancelled";
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException or InvalidDataException)
        {
            logger.LogWarning("Request {RequestId}: channel {Channel} broke off the stream: {Message}", admitted.RequestId, channel.Settings.Name, e.Message);
            upstreamBroke = true;
        }

        if (upstreamBroke)
        {
            // Never retried once bytes reached the client: the stream ends with the protocol's error event instead of its end.
            status = UsageStatus.UpstreamInterrupted;
            errorCode = "upstream_interrupted";
            channel.Stats.Record(false, 0, "stream interrupted after the first byte");
            try
            {
                answer.WriteInterrupted(writer);
                await writer.FlushAsync(clientAborted);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                status = UsageStatus.ClientCancelled;
                errorCode = "client_cancelled";
            }
        }

        var usage = answer.Resolve(admitted.PromptTokens, admitted.Model.Encoding);
        return new Outcome(status, status == UsageStatus.Succeeded ? 200 : status == UsageStatus.ClientCancelled ? 499 : 502, errorCode, channel, usage, firstByte);
    }

    private async Task SettleAsync(Admitted admitted, Outcome outcome)
    {
        var usage = outcome.Usage;
        var prices = admitted.Model.Prices;
        var cost = usage is { } u && outcome.Status != UsageStatus.Failed
            ? Pricing.Cost(u.PromptTokens, u.CachedPromptTokens, u.CacheWriteTokens, u.CompletionTokens, prices).MicroYuan
            : 0;
        Capture capture;
        if (cost == 0)
        {
            leases.Release(admitted.Account, admitted.Hold);
            capture = new Capture(0, 0);
        }
        else
        {
            capture = await leases.CaptureAsync(admitted.Account, admitted.Hold, cost);
        }

        var elapsed = Stopwatch.GetElapsedTime(admitted.Started);
        var record = new UsageRecord
        {
            Id = Ids.New(),
            TenantId = admitted.Key.TenantId,
            ApiKeyId = admitted.Key.Id,
            RequestId = admitted.RequestId,
            At = admitted.At,
            Endpoint = admitted.Endpoint,
            Model = admitted.Model.PublicId,
            ChannelId = outcome.Channel?.Id,
            ChannelType = outcome.Channel?.Settings.Type,
            InputTokens = outcome.Status == UsageStatus.Failed ? 0 : usage?.PromptTokens ?? 0,
            CachedInputTokens = outcome.Status == UsageStatus.Failed ? 0 : usage?.CachedPromptTokens ?? 0,
            OutputTokens = outcome.Status == UsageStatus.Failed ? 0 : usage?.CompletionTokens ?? 0,
            CacheWriteInputTokens = outcome.Status == UsageStatus.Failed ? 0 : usage?.CacheWriteTokens ?? 0,
            CacheWritePricePerMillionMicroYuan = prices.CacheWritePerMillion.MicroYuan,
            InputPricePerMillionMicroYuan = prices.InputPerMillion.MicroYuan,
            OutputPricePerMillionMicroYuan = prices.OutputPerMillion.MicroYuan,
            CachedInputPricePerMillionMicroYuan = prices.CachedInputPerMillion.MicroYuan,
            CostMicroYuan = cost,
            HoldMicroYuan = admitted.Hold,
            Status = outcome.Status,
            HttpStatus = outcome.HttpStatus,
            ErrorCode = outcome.ErrorCode,
            Stream = admitted.Stream,
            Estimated = usage?.IsEstimated == true && outcome.Status != UsageStatus.Failed,
            Overdraft = capture.Overdraft > 0,
            LatencyMs = (int)Math.Min(int.MaxValue, elapsed.TotalMilliseconds),
            TimeToFirstTokenMs = outcome.FirstByteTimestamp is { } first ? (int)Math.Min(int.MaxValue, Stopwatch.GetElapsedTime(admitted.Started, first).TotalMilliseconds) : null,
            ClientIp = admitted.ClientIp,
        };
        await settlement.EnqueueAsync(new SettlementItem
        {
            Record = record,
            Account = admitted.Account,
            Cost = cost,
            Overdraft = capture.Overdraft > 0,
            LeasePart = capture.LeasePart,
            KeyBudgetHold = admitted.BudgetHold,
            Month = admitted.Month,
        });
    }
}
