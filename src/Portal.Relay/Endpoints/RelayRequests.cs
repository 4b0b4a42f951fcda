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
using Portal.Relay.Privacy;
using Portal.Relay.Protocols.Canonical;
using Portal.Relay.Protocols.OpenAI;
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
internal sealed class RelayRequests(
    RelayAuthenticator authenticator,
    CatalogCache catalog,
    RateLimiter rateLimiter,
    WalletLeases leases,
    KeyBudgets budgets,
    UpstreamForwarder forwarder,
    ChatCodecs codecs,
    RelaySurfaces surfaces,
    SettlementWriter settlement,
    IOptions<RelayOptions> options,
    TimeProvider clock,
    ILogger<RelayRequests> logger)
{
    private readonly long _maxBodyBytes = options.Value.MaxBodyBytes;

    public Task ChatCompletionsAsync(HttpContext context) => HandleAsync(context, surfaces.ChatCompletions);

    public Task EmbeddingsAsync(HttpContext context) => HandleAsync(context, surfaces.Embeddings);

    public Task MessagesAsync(HttpContext context) => HandleAsync(context, surfaces.Messages);

    /// <summary>
    /// <c>POST /v1/messages/count_tokens</c>: free, like Anthropic's. Asked of the model's first Anthropic-family channel
    /// that answers (the request passed through, model id mapped); the portal's own count when none does.
    /// </summary>
    public async Task CountTokensAsync(HttpContext context)
    {
        var surface = surfaces.Messages;
        context.Response.Headers[RelayHttp.RequestIdHeader] = RelayHttp.NewRequestId();
        BodyRead body = default;
        try
        {
            var (key, refused) = await authenticator.AuthenticateAsync(context);
            if (refused is not null)
            {
                await surface.WriteErrorAsync(context, refused);
                return;
            }

            body = await RelayHttp.ReadBodyAsync(context, _maxBodyBytes);
            if (body.IsTooLarge)
            {
                await surface.WriteErrorAsync(context, OpenAiErrors.RequestTooLarge(_maxBodyBytes));
                return;
            }

            var request = surface.Shape(body.Span);
            var snapshot = await catalog.GetAsync();
            RelayModel? model = null;
            var error = request.Error ?? Scope(key!, snapshot, surface, request, out model);
            if (error is not null)
            {
                await surface.WriteErrorAsync(context, error);
                return;
            }

            using var rewritten = new PooledByteBuffer(body.Length + 64);
            foreach (var route in model!.AttemptOrder().Where(r => r.Channel.Settings.Family == WireFamily.Anthropic))
            {
                rewritten.Reset();
                RequestBodyRewriter.Rewrite(body.Span, route.UpstreamModelId, ensureUsageWhenStreaming: false, rewritten);
                var call = new UpstreamCall(UpstreamEndpoint.CountTokens, route.UpstreamModelId, rewritten.WrittenMemory, false) { Headers = PassThroughHeaders(context, surface) };
                await using var attempt = await forwarder.SendAsync(route.Channel, call, context.RequestAborted);
                if (attempt.Kind == AttemptKind.ChannelFailure || attempt.Body is null) continue;
                context.Response.StatusCode = attempt.Status;
                context.Response.ContentType = attempt.ContentType ?? "application/json";
                context.Response.ContentLength = attempt.Body.Length;
                await context.Response.Body.WriteAsync(attempt.Body, context.RequestAborted);
                return;
            }

            var counted = CanonicalTokens.CountPrompt(request.Canonical!, model.Encoding, context.RequestAborted);
            await ModelsEndpoint.WriteJsonAsync(context, System.Text.Encoding.UTF8.GetBytes($$"""{"input_tokens":{{counted}}}"""));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nothing to answer, nothing was charged.
        }
        catch (Exception e)
        {
            logger.LogError(e, "count_tokens failed.");
            await surface.WriteErrorAsync(context, OpenAiErrors.InternalError(context.Response.Headers[RelayHttp.RequestIdHeader].ToString()));
        }
        finally
        {
            if (body.Buffer is not null) ArrayPool<byte>.Shared.Return(body.Buffer);
        }
    }
    public Task ResponsesAsync(HttpContext context) => HandleAsync(context, surfaces.Responses);

    /// <summary>The one pipeline every surface goes through; <paramref name="surface"/> supplies what differs.</summary>
    public async Task HandleAsync(HttpContext context, RelaySurface surface)
    {
        var started = Stopwatch.GetTimestamp();
        var requestId = RelayHttp.NewRequestId();
        context.Response.Headers[RelayHttp.RequestIdHeader] = requestId;
        BodyRead body = default;
        RequestPrivacy? privacy = null;
        try
        {
            var (key, refused) = await authenticator.AuthenticateAsync(context);
            if (refused is not null)
            {
                await surface.WriteErrorAsync(context, refused);
                return;
            }

            body = await RelayHttp.ReadBodyAsync(context, _maxBodyBytes);
            if (body.IsTooLarge)
            {
                await surface.WriteErrorAsync(context, OpenAiErrors.RequestTooLarge(_maxBodyBytes));
                return;
            }

            var request = surface.Shape(body.Span);
            if (request.Error is not null)
            {
                await surface.WriteErrorAsync(context, request.Error);
                return;
            }

            var snapshot = await catalog.GetAsync();
            var error = Scope(key!, snapshot, surface, request, out var model);
            if (error is null && key!.RequestsPerMinute is { } limit)
            {
                var decision = rateLimiter.TryAcquire(key.RateKey, limit);
                decision.WriteHeaders(context.Response.Headers);
                if (!decision.IsAllowed) error = OpenAiErrors.RateLimitExceeded(limit, decision.RetryAfter);
            }

            // The tenant data policy, only for keys whose policy does something: channels allowed, PII masked or refused.
            if (error is null && key!.DataPolicy is { } policy) privacy = RequestPrivacy.Prepare(policy, model!, surface, body.Span, context, out error);
            if (error is not null)
            {
                await surface.WriteErrorAsync(context, error);
                return;
            }

            await AdmitAndForwardAsync(context, surface, key!, model!, request, body, requestId, started, privacy);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away before anything was admitted or after everything was settled: nothing to answer.
        }
        catch (Exception e)
        {
            logger.LogError(e, "Relay request {RequestId} failed.", requestId);
            await surface.WriteErrorAsync(context, OpenAiErrors.InternalError(requestId));
        }
        finally
        {
            privacy?.Dispose();
            if (body.Buffer is not null) ArrayPool<byte>.Shared.Return(body.Buffer);
        }
    }

    private static OpenAiErrorResponse? Scope(RelayKey key, CatalogSnapshot snapshot, RelaySurface surface, SurfaceRequest request, out RelayModel? model)
    {
        var modelId = request.Model;
        if (!snapshot.Models.TryGetValue(modelId, out model)) return OpenAiErrors.ModelNotFound(modelId);
        if (!key.MayUse(modelId)) return OpenAiErrors.ModelNotAllowed(modelId);
        if (model.Kind != surface.ModelKind) return OpenAiErrors.ModelNotSupported(modelId, surface.Description);
        // The model's feature flags, on every surface and before anything is held: pass-through included, since a
        // model the operator marked without tools, vision or JSON mode must not be sold those features by any channel.
        if (!(model.SupportsTools && model.SupportsVision && model.SupportsJsonMode))
        {
            var used = request.UsedFeatures;
            if (used.HasFlag(RequestFeatures.Tools) && !model.SupportsTools) return OpenAiErrors.ModelNotSupported(modelId, "tools");
            if (used.HasFlag(RequestFeatures.Images) && !model.SupportsVision) return OpenAiErrors.ModelNotSupported(modelId, "images");
            if (used.HasFlag(RequestFeatures.JsonMode) && !model.SupportsJsonMode) return OpenAiErrors.ModelNotSupported(modelId, "JSON mode");
        }

        return model.Routes.Length == 0 ? OpenAiErrors.UpstreamUnavailable(modelId) : null;
    }

    private async Task AdmitAndForwardAsync(HttpContext context, RelaySurface surface, RelayKey key, RelayModel model, SurfaceRequest request, BodyRead body, string requestId, long started, RequestPrivacy? privacy)
    {
        // Admission: the most this request can cost — the prompt as the tokenizer counts it plus max_tokens (or the
        // model's default) of output — held from the lease, then from the key's monthly budget.
        var promptTokens = surface.CountPrompt(request, body.Memory, model.Encoding, context.RequestAborted);
        var outputTokens = surface.ModelKind == ModelKind.Chat ? request.MaxOutputTokens ?? model.DefaultHoldOutputTokens : 0;
        var hold = Pricing.HoldFor(promptTokens, outputTokens, model.Prices).MicroYuan;
        var now = clock.GetUtcNow();
        var account = leases.Account(key.TenantId);
        var held = await leases.HoldAsync(account, hold, context.RequestAborted);
        if (held != HoldOutcome.Held)
        {
            await surface.WriteErrorAsync(context, OpenAiErrors.InsufficientQuota());
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
                await surface.WriteErrorAsync(context, OpenAiErrors.KeyBudgetExceeded());
                return;
            }

            budgetHold = hold;
        }

        var admitted = new Admitted(key, model, account, hold, budgetHold, month, now, requestId, started, surface, request, request.Stream, request.IncludeUsage,
            promptTokens, RelayHttp.ClientIp(context.Connection.RemoteIpAddress), privacy);
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
        RelaySurface Surface,
        SurfaceRequest Request,
        bool Stream,
        bool ClientWantsUsage,
        long PromptTokens,
        string ClientIp,
        RequestPrivacy? Privacy)
    {
        public UsageEndpoint Endpoint => Surface.Endpoint;
    }

    /// <summary>What happened, for metering and the usage record.</summary>
    private sealed record Outcome(UsageStatus Status, int HttpStatus, string? ErrorCode, ChannelRuntime? Channel, TokenUsage? Usage, long? FirstByteTimestamp)
    {
        public static Outcome Failed(int httpStatus, string errorCode, ChannelRuntime? channel) => new(UsageStatus.Failed, httpStatus, errorCode, channel, null, null);
    }

    private async Task<Outcome> ForwardAsync(HttpContext context, Admitted admitted, BodyRead body)
    {
        var surface = admitted.Surface;
        using var rewritten = new PooledByteBuffer(body.Length + 64);
        var passHeaders = PassThroughHeaders(context, surface);
        var canonical = admitted.Request.Canonical;
        var privacy = admitted.Privacy;
        var maskedCanonical = privacy?.MaskedRequest?.Canonical;
        var tried = 0;
        var open = 0;
        var timedOut = 0;
        ChannelRuntime? last = null;
        foreach (var route in admitted.Model.AttemptOrder())
        {
            rewritten.Reset();
            var settings = route.Channel.Settings;
            if (privacy is not null && !privacy.Allows(settings)) continue;
            var masks = privacy?.MasksFor(settings) == true;
            var source = masks ? privacy!.MaskedBody.Span : body.Span;
            var passThrough = surface.PassesThrough(settings);
            IChatCodec? upstreamCodec = null;
            IEmbeddingsCodec? embeddingsCodec = null;
            UpstreamCall call;
            if (passThrough)
            {
                // Same family: the body goes as is, model id mapped (and usage asked for when an OpenAI chat client streams).
                if (surface.RewritePassThrough is { } rewrite) rewrite(source, route.UpstreamModelId, rewritten);
                else RequestBodyRewriter.Rewrite(source, route.UpstreamModelId, ensureUsageWhenStreaming: surface.Endpoint == UsageEndpoint.ChatCompletions, rewritten);
                call = new UpstreamCall(surface.PassThroughEndpoint, route.UpstreamModelId, rewritten.WrittenMemory, admitted.Stream) { Headers = passHeaders };
            }
            else if (surface.ModelKind == ModelKind.Embedding)
            {
                // Embeddings for another family (Gemini's embedContent / batchEmbedContents): translated and back.
                embeddingsCodec = ChatCodecs.EmbeddingsFor(settings.Family);
                if (embeddingsCodec is null)
                {
                    tried++;
                    last = route.Channel;
                    continue;
                }

                UpstreamEndpoint endpoint;
                try
                {
                    endpoint = embeddingsCodec.EncodeRequest(source, route.UpstreamModelId, rewritten);
                }
                catch (TranslationException e)
                {
                    var invalid = OpenAiErrors.InvalidRequest(e.Message, e.Param);
                    await surface.WriteErrorAsync(context, invalid);
                    return Outcome.Failed(invalid.StatusCode, "untranslatable_request", route.Channel);
                }

                call = new UpstreamCall(endpoint, route.UpstreamModelId, rewritten.WrittenMemory, false);
            }
            else
            {
                upstreamCodec = codecs.For(settings.Family);
                if (upstreamCodec is null || surface.Codec is null)
                {
                    // This channel's family cannot serve this surface (e.g. embeddings on a family without an embeddings codec).
                    tried++;
                    last = route.Channel;
                    continue;
                }

                try
                {
                    var current = masks ? maskedCanonical ??= surface.Codec.DecodeRequest(source) : canonical ??= surface.Codec.DecodeRequest(source);
                    // Anthropic requires max_tokens: the model's default, which is also what admission held.
                    if (current.MaxOutputTokens is null && settings.Family == WireFamily.Anthropic) current.MaxOutputTokens = admitted.Model.DefaultMaxOutputTokens;
                    current.Stream = admitted.Stream;
                    upstreamCodec.EncodeRequest(current, route.UpstreamModelId, rewritten);
                }
                catch (TranslationException e)
                {
                    // A field the channel's family cannot express (or a malformed request): the client's mistake, for every channel alike.
                    var invalid = OpenAiErrors.InvalidRequest(e.Message, e.Param);
                    await surface.WriteErrorAsync(context, invalid);
                    return Outcome.Failed(invalid.StatusCode, "untranslatable_request", route.Channel);
                }

                call = new UpstreamCall(ChatCodecs.ChatEndpointFor(settings.Family), route.UpstreamModelId, rewritten.WrittenMemory, admitted.Stream);
            }

            var attempt = await forwarder.SendAsync(route.Channel, call, context.RequestAborted);
            await using (attempt)
            {
                last = route.Channel;
                var restorer = privacy is not null && privacy.RestoresFor(settings) ? privacy.Masker : null;
                switch (attempt.Kind)
                {
                    case AttemptKind.Success when attempt.Events is not null:
                        if (!passThrough) return await TranslateStreamAsync(context, admitted, attempt, route.Channel, upstreamCodec!, restorer);
                        // Restoring placeholders needs the text: the client's own family is decoded and encoded again.
                        if (restorer is not null) return await RelayEventsAsync(context, admitted, attempt, route.Channel, surface.Codec!.CreateStreamDecoder(), translate: true, restorer);
                        return surface.Endpoint == UsageEndpoint.ChatCompletions
                            ? await StreamAsync(context, admitted, attempt, route.Channel)
                            : await PassThroughStreamAsync(context, admitted, attempt, route.Channel);
                    case AttemptKind.Success:
                        return passThrough ? await WriteWholeAsync(context, admitted, attempt, route.Channel, restorer)
                            : embeddingsCodec is not null ? await TranslateEmbeddingsAsync(context, admitted, attempt, route.Channel, embeddingsCodec, body)
                            : await TranslateWholeAsync(context, admitted, attempt, route.Channel, upstreamCodec!, restorer);
                    case AttemptKind.ClientError:
                        // The upstream refused the request itself: every channel would. Its answer goes to the client as is
                        // (pass-through), or its message in the client's shape (translation).
                        var refusal = attempt.Body!;
                        var contentType = attempt.ContentType ?? "application/json";
                        if (!passThrough)
                        {
                            var upstreamError = embeddingsCodec?.DecodeError(attempt.Status, attempt.Body) ?? upstreamCodec!.DecodeError(attempt.Status, attempt.Body);
                            refusal = (surface.Codec ?? OpenAIChatCodec.Instance).EncodeError(upstreamError);
                            contentType = "application/json";
                        }

                        context.Response.StatusCode = attempt.Status;
                        context.Response.ContentType = contentType;
                        context.Response.ContentLength = refusal.Length;
                        await context.Response.Body.WriteAsync(refusal, context.RequestAborted);
                        return Outcome.Failed(attempt.Status, "upstream_refused", route.Channel);
                }

                tried++;
                if (attempt.Status == 0 && attempt.Failure == "circuit open") open++;
                if (attempt.TimedOut) timedOut++;
                logger.LogInformation("Request {RequestId}: channel {Channel} failed ({Failure}); trying the next one.", admitted.RequestId, route.Channel.Settings.Name, attempt.Failure);
            }
        }

        // Every channel failed before its first byte: nothing reached the client and nothing is charged.
        var error = open == tried ? OpenAiErrors.UpstreamUnavailable(admitted.Model.PublicId)
            : timedOut == tried - open ? OpenAiErrors.UpstreamTimeout()
            : OpenAiErrors.UpstreamError();
        await surface.WriteErrorAsync(context, error);
        return Outcome.Failed(error.StatusCode, error.Error.Code!, last);
    }

    private static IReadOnlyList<KeyValuePair<string, string>> PassThroughHeaders(HttpContext context, RelaySurface surface)
    {
        if (surface.PassThroughHeaders.Count == 0) return [];
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var name in surface.PassThroughHeaders)
            if (context.Request.Headers.TryGetValue(name, out var values) && values.ToString() is { Length: > 0 and <= 4096 } value) headers.Add(new(name, value));
        return headers;
    }

    /// <summary>A whole answer from another family: decoded into the canonical model, metered, encoded in the client's shape.</summary>
    private async Task<Outcome> TranslateWholeAsync(HttpContext context, Admitted admitted, UpstreamAttempt attempt, ChannelRuntime channel, IChatCodec upstreamCodec, PiiMasker? restorer)
    {
        var firstByte = Stopwatch.GetTimestamp();
        ChatResponse answer;
        try
        {
            answer = upstreamCodec.DecodeResponse(attempt.Body);
        }
        catch (TranslationException e)
        {
            logger.LogWarning("Request {RequestId}: channel {Channel} answered something that is not a {Api} answer: {Message}", admitted.RequestId, channel.Settings.Name, upstreamCodec.ApiName, e.Message);
            var error = OpenAiErrors.UpstreamError();
            await admitted.Surface.WriteErrorAsync(context, error);
            return Outcome.Failed(error.StatusCode, "upstream_error", channel);
        }

        var usage = answer.Usage ?? EstimateFrom(admitted, answer.Content);
        using var output = new PooledByteBuffer(attempt.Body!.Length + 256);
        admitted.Surface.Codec!.EncodeResponse(answer, admitted.Model.PublicId, output);
        using var restored = new PooledByteBuffer(restorer is null ? 1 : output.WrittenCount + 256);
        var answerBody = restorer is not null && restorer.RestoreJson(output.WrittenSpan, restored) ? restored.WrittenMemory : output.WrittenMemory;
        return await WriteBodyAsync(context, 200, "application/json", answerBody, channel, usage, firstByte);
    }

    /// <summary>Another family's embeddings answer, written as OpenAI's; usage counted by the portal (Estimated) when the upstream reports none.</summary>
    private async Task<Outcome> TranslateEmbeddingsAsync(HttpContext context, Admitted admitted, UpstreamAttempt attempt, ChannelRuntime channel, IEmbeddingsCodec codec, BodyRead body)
    {
        var firstByte = Stopwatch.GetTimestamp();
        EmbeddingsAnswer answer;
        try
        {
            answer = codec.DecodeResponse(attempt.Body);
        }
        catch (TranslationException e)
        {
            logger.LogWarning("Request {RequestId}: channel {Channel} answered something that is not a {Family} embeddings answer: {Message}", admitted.RequestId, channel.Settings.Name, codec.Family, e.Message);
            var error = OpenAiErrors.UpstreamError();
            await admitted.Surface.WriteErrorAsync(context, error);
            return Outcome.Failed(error.StatusCode, "upstream_error", channel);
        }

        var usage = answer.PromptTokens is { } reported ? new TokenUsage(reported, 0, 0, IsEstimated: false) : new TokenUsage(admitted.PromptTokens, 0, 0, IsEstimated: true);
        using var output = new PooledByteBuffer(attempt.Body!.Length + 256);
        OpenAIEmbeddingsAnswer.Write(answer, admitted.Model.PublicId, OpenAIEmbeddingsAnswer.WantsBase64(body.Span), usage.PromptTokens, output);
        return await WriteBodyAsync(context, 200, "application/json", output.WrittenMemory, channel, usage, firstByte);
    }

    private TokenUsage EstimateFrom(Admitted admitted, IEnumerable<ChatPart> content)
    {
        var text = string.Concat(content.Select(p => p switch
        {
            TextPart t => t.Text,
            ToolCallPart c => c.Name + c.ArgumentsJson,
            ReasoningPart r => r.Text,
            _ => "",
        }));
        return new TokenUsage(admitted.PromptTokens, 0, TokenCounter.Shared.CountText(text, admitted.Model.Encoding), IsEstimated: true);
    }

    private static async Task<Outcome> WriteBodyAsync(HttpContext context, int status, string contentType, ReadOnlyMemory<byte> body, ChannelRuntime channel, TokenUsage usage, long firstByte)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        try
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
            return new Outcome(UsageStatus.Succeeded, status, null, channel, usage, firstByte);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The answer was generated (and billed to the platform) even though the client left before reading it.
            return new Outcome(UsageStatus.ClientCancelled, 499, "client_cancelled", channel, usage, firstByte);
        }
    }

    /// <summary>
    /// A stream of another family: each upstream event is decoded into canonical events, metered, and encoded as the
    /// client's family's events as it arrives. An upstream that breaks off gets the client protocol's error event.
    /// </summary>
    private Task<Outcome> TranslateStreamAsync(HttpContext context, Admitted admitted, UpstreamAttempt attempt, ChannelRuntime channel, IChatCodec upstreamCodec, PiiMasker? restorer) =>
        RelayEventsAsync(context, admitted, attempt, channel, upstreamCodec.CreateStreamDecoder(), translate: true, restorer);

    /// <summary>A stream of the client's own family other than OpenAI chat: forwarded byte for byte, decoded only to meter it.</summary>
    private Task<Outcome> PassThroughStreamAsync(HttpContext context, Admitted admitted, UpstreamAttempt attempt, ChannelRuntime channel) =>
        RelayEventsAsync(context, admitted, attempt, channel, admitted.Surface.Codec!.CreateStreamDecoder(), translate: false, restorer: null);

    private async Task<Outcome> RelayEventsAsync(HttpContext context, Admitted admitted, UpstreamAttempt attempt, ChannelRuntime channel, IStreamDecoder decoder, bool translate, PiiMasker? restorer)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var events = attempt.Events!;
        var writer = response.BodyWriter;
        var clientAborted = context.RequestAborted;
        var encoder = admitted.Surface.Codec!.CreateStreamEncoder(new StreamEncoding(admitted.Model.PublicId, admitted.ClientWantsUsage, admitted.At.ToUnixTimeSeconds()));
        var meter = new CanonicalMeter();
        var decoded = new List<StreamEvent>(4);
        var restoring = restorer is null ? null : new StreamRestoring(restorer);
        long? firstByte = null;
        var status = UsageStatus.Succeeded;
        string? errorCode = null;
        var upstreamBroke = false;
        string? upstreamFailure = null;
        try
        {
            do
            {
                var sseEvent = events.Current;
                decoded.Clear();
                decoder.Decode(sseEvent, decoded);
                foreach (var e in decoded)
                {
                    meter.Observe(e);
                    if (e is StreamFailed failed) upstreamFailure = failed.Message;
                    else if (restoring is not null) restoring.Encode(e, encoder, writer);
                    else if (translate) encoder.Encode(e, writer);
                }

                if (!translate) SseWriter.WriteRaw(writer, sseEvent);
                else if (upstreamFailure is not null) break;
                var flushed = await writer.FlushAsync(clientAborted);
                firstByte ??= Stopwatch.GetTimestamp();
                if (flushed.IsCanceled || flushed.IsCompleted || clientAborted.IsCancellationRequested) throw new OperationCanceledException(clientAborted);
                if (meter.Completed || upstreamFailure is not null) break;
            }
            while (await events.ReadAsync(attempt.Token));

            if (!meter.Completed) upstreamBroke = true;
        }
        catch (Exception) when (clientAborted.IsCancellationRequested)
        {
            status = UsageStatus.ClientCancelled;
            errorCode = "client_cancelled";
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException or InvalidDataException)
        {
            logger.LogWarning("Request {RequestId}: channel {Channel} broke off the stream: {Message}", admitted.RequestId, channel.Settings.Name, e.Message);
            upstreamBroke = true;
        }

        if (upstreamBroke && status != UsageStatus.ClientCancelled)
        {
            // Never retried once bytes reached the client: the stream ends with the client protocol's error event.
            status = UsageStatus.UpstreamInterrupted;
            errorCode = "upstream_interrupted";
            channel.Stats.Record(false, 0, "stream interrupted after the first byte");
            try
            {
                if (translate || upstreamFailure is null)
                    encoder.EncodeError(new UpstreamError(502, upstreamFailure ?? OpenAiErrors.StreamInterrupted().Error.Message, "api_error"), writer);
                await writer.FlushAsync(clientAborted);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                status = UsageStatus.ClientCancelled;
                errorCode = "client_cancelled";
            }
        }

        var usage = meter.Resolve(admitted.PromptTokens, admitted.Model.Encoding);
        return new Outcome(status, status == UsageStatus.Succeeded ? 200 : status == UsageStatus.ClientCancelled ? 499 : 502, errorCode, channel, usage, firstByte);
    }

    private async Task<Outcome> WriteWholeAsync(HttpContext context, Admitted admitted, UpstreamAttempt attempt, ChannelRuntime channel, PiiMasker? restorer)
    {
        var body = attempt.Body!;
        var firstByte = Stopwatch.GetTimestamp();
        var usage = Meter(admitted, body);
        using var restored = new PooledByteBuffer(restorer is null ? 1 : body.Length + 256);
        var answer = restorer is not null && restorer.RestoreJson(body, restored) ? restored.WrittenMemory : body;
        return await WriteBodyAsync(context, attempt.Status, attempt.ContentType ?? "application/json", answer, channel, usage, firstByte);
    }

    private TokenUsage Meter(Admitted admitted, byte[] body)
    {
        if (admitted.Endpoint is not (UsageEndpoint.ChatCompletions or UsageEndpoint.Embeddings) && admitted.Surface.Codec is { } codec)
        {
            // Another family's own answer, passed through: its usage (or its text, counted) from the decoded answer.
            try
            {
                var answer = codec.DecodeResponse(body);
                return answer.Usage ?? EstimateFrom(admitted, answer.Content);
            }
            catch (TranslationException)
            {
                return new TokenUsage(admitted.PromptTokens, 0, 0, IsEstimated: true);
            }
        }

        var info = ChunkInspector.Inspect(body, captureModel: false);
        if (info.Usage is { } reported) return reported;
        if (admitted.Endpoint == UsageEndpoint.Embeddings) return new TokenUsage(admitted.PromptTokens, 0, 0, IsEstimated: true);
        using var text = new PooledByteBuffer();
        ChunkInspector.Inspect(body, text, captureModel: false);
        var completion = TokenCounter.Shared.CountUtf8(text.WrittenSpan, admitted.Model.Encoding);
        return new TokenUsage(admitted.PromptTokens, 0, completion, IsEstimated: true);
    }

    private async Task<Outcome> StreamAsync(HttpContext context, Admitted admitted, UpstreamAttempt attempt, ChannelRuntime channel)
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
        using var meter = new StreamMeter();
        long? firstByte = null;
        var status = UsageStatus.Succeeded;
        string? errorCode = null;
        var upstreamBroke = false;
        try
        {
            do
            {
                var sseEvent = events.Current;
                var info = meter.Observe(sseEvent);
                if (info.IsUsageOnly && !admitted.ClientWantsUsage) continue;
                SseWriter.WriteRaw(writer, sseEvent);
                var flushed = await writer.FlushAsync(clientAborted);
                firstByte ??= Stopwatch.GetTimestamp();
                if (flushed.IsCanceled || flushed.IsCompleted || clientAborted.IsCancellationRequested) throw new OperationCanceledException(clientAborted);
                if (sseEvent.IsDone) break;
            }
            while (await events.ReadAsync(attempt.Token));

            if (!meter.SawDone) upstreamBroke = true;
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
            // Never retried once bytes reached the client: the stream ends with an error event instead of [DONE].
            status = UsageStatus.UpstreamInterrupted;
            errorCode = "upstream_interrupted";
            channel.Stats.Record(false, 0, "stream interrupted after the first byte");
            try
            {
                SseWriter.WriteData(writer, OpenAiErrors.StreamInterrupted().ToJsonBytes());
                await writer.FlushAsync(clientAborted);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                status = UsageStatus.ClientCancelled;
                errorCode = "client_cancelled";
            }
        }

        var usage = meter.Resolve(admitted.PromptTokens, admitted.Model.Encoding);
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
            ChannelRegion = outcome.Channel?.Settings.Region,
            PiiFindings = admitted.Privacy?.Findings,
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
