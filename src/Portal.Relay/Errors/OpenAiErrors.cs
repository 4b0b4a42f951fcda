using Microsoft.AspNetCore.Http;

namespace Portal.Relay.Errors;

/// <summary>
/// The relay's failures in OpenAI's wording, types and codes, so clients (the openai SDKs, LangChain, …) map them to the
/// right exception and retry policy: 401 → AuthenticationError, 403 → PermissionDeniedError, 404 → NotFoundError,
/// 429 → RateLimitError (retried by the SDKs unless the code is <c>insufficient_quota</c>), 5xx → retried.
/// </summary>
public static class OpenAiErrors
{
    /// <summary>OpenAI's <c>type</c> for client mistakes.</summary>
    public const string InvalidRequestType = "invalid_request_error";

    /// <summary>The <c>type</c> for failures on the server side (the upstream or the portal).</summary>
    public const string ServerErrorType = "server_error";

    /// <summary>401: no key, a malformed key, or an unknown, revoked or expired one. The key is never echoed beyond its display prefix.</summary>
    public static OpenAiErrorResponse InvalidApiKey(string? keyPrefix = null) => new(
        StatusCodes.Status401Unauthorized,
        new OpenAiError(
            keyPrefix is null
                ? "You didn't provide a valid API key. Pass it as 'Authorization: Bearer sk-cn-…'. Keys are managed in the portal under API keys."
                : $"Incorrect API key provided: {keyPrefix}. Keys are managed in the portal under API keys.",
            InvalidRequestType,
            null,
            "invalid_api_key"));

    /// <summary>403: the key's scope does not include <paramref name="model"/>.</summary>
    public static OpenAiErrorResponse ModelNotAllowed(string model) => new(
        StatusCodes.Status403Forbidden,
        new OpenAiError($"This API key is not allowed to use the model `{model}`. Change the key's allowed models in the portal.", InvalidRequestType, "model", "model_not_allowed"));

    /// <summary>403: the tenant's data policy forbids cross-border channels and the model has no domestic one. Nothing is charged.</summary>
    public static OpenAiErrorResponse CrossBorderForbidden(string model) => new(
        StatusCodes.Status403Forbidden,
        new OpenAiError($"The model `{model}` is served only from outside mainland China, and your data policy does not allow cross-border channels. Choose a model served from within China, or change the data policy in the portal.", InvalidRequestType, "model", "cross_border_forbidden"));

    /// <summary>400: the data policy blocks personal information and the request carries some. Names the kinds and counts, never the values.</summary>
    public static OpenAiErrorResponse PiiBlocked(string findings) => new(
        StatusCodes.Status400BadRequest,
        new OpenAiError($"The request contains personal information ({findings}) and your data policy blocks such requests. Remove it, or ask an Owner or Admin to choose masking instead.", InvalidRequestType, null, "pii_blocked"));

    /// <summary>403: the client's address is not in the key's IP allowlist. The address is echoed so the customer can add it.</summary>
    public static OpenAiErrorResponse IpNotAllowed(string clientAddress) => new(
        StatusCodes.Status403Forbidden,
        new OpenAiError($"Requests from {clientAddress} are not allowed for this API key. Add the address to the key's IP allowlist in the portal.", InvalidRequestType, null, "ip_not_allowed"));

    /// <summary>403: the key's account may not use paid features (real-name verification missing or revoked).</summary>
    public static OpenAiErrorResponse AccountNotVerified(bool revoked) => new(
        StatusCodes.Status403Forbidden,
        new OpenAiError(
            revoked
                ? "The real-name verification of this account was revoked, so its API keys are suspended. Contact support or verify again in the portal."
                : "This account has not completed real-name verification (实名认证). Complete it in the portal to use the API.",
            InvalidRequestType,
            null,
            revoked ? "account_verification_revoked" : "account_not_verified"));

    /// <summary>400: the model exists but does not serve this endpoint (a chat model on /v1/embeddings, or the reverse).</summary>
    public static OpenAiErrorResponse ModelNotSupported(string model, string endpoint) => new(
        StatusCodes.Status400BadRequest,
        new OpenAiError($"The model `{model}` does not support {endpoint}.", InvalidRequestType, "model", "model_not_supported"));

    /// <summary>404 for a path the relay does not serve, in OpenAI's wording.</summary>
    public static OpenAiErrorResponse UnknownUrl(string method, string path) => new(
        StatusCodes.Status404NotFound,
        new OpenAiError($"Invalid URL ({method} {path})", InvalidRequestType, null, "unknown_url"));

    /// <summary>500 for a fault of the relay itself: OpenAI's wording, never a stack trace.</summary>
    public static OpenAiErrorResponse InternalError(string requestId) => new(
        StatusCodes.Status500InternalServerError,
        new OpenAiError($"The server had an error while processing your request. Sorry about that! You can retry your request, or contact us through the portal if the error persists. (Please include the request ID {requestId} in your message.)", ServerErrorType, null, "internal_error"));

    /// <summary>The error event that ends a stream the upstream broke off after its first byte.</summary>
    public static OpenAiErrorResponse StreamInterrupted() => new(
        StatusCodes.Status502BadGateway,
        new OpenAiError("The upstream model provider interrupted the stream. You are charged only for the tokens generated before the interruption.", ServerErrorType, null, "upstream_interrupted"));

    /// <summary>404: unknown model (or one the tenant cannot see), in OpenAI's exact wording.</summary>
    public static OpenAiErrorResponse ModelNotFound(string model) => new(
        StatusCodes.Status404NotFound,
        new OpenAiError($"The model `{model}` does not exist or you do not have access to it.", InvalidRequestType, "model", "model_not_found"));

    /// <summary>429: the key's requests-per-minute limit; SDKs retry after <c>Retry-After</c>.</summary>
    public static OpenAiErrorResponse RateLimitExceeded(int limitPerMinute, TimeSpan retryAfter) => new(
        StatusCodes.Status429TooManyRequests,
        new OpenAiError($"Rate limit reached for requests on this API key: limit {limitPerMinute} per minute. Please try again in {FormatSeconds(retryAfter)}.", "requests", null, "rate_limit_exceeded"))
    {
        RetryAfterSeconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)),
    };

    /// <summary>429 <c>insufficient_quota</c>: balance, plan credit and credit line cannot cover the request's hold. SDKs do not retry it.</summary>
    public static OpenAiErrorResponse InsufficientQuota() => new(
        StatusCodes.Status429TooManyRequests,
        new OpenAiError("You exceeded your current quota: the account balance cannot cover this request. Top up in the portal, then retry.", "insufficient_quota", null, "insufficient_quota"));

    /// <summary>429 <c>insufficient_quota</c> for a key whose own spending budget is used up.</summary>
    public static OpenAiErrorResponse KeyBudgetExceeded() => new(
        StatusCodes.Status429TooManyRequests,
        new OpenAiError("This API key has reached its spending limit. Raise the key's budget in the portal or use another key.", "insufficient_quota", null, "insufficient_quota"));

    /// <summary>400: a request the relay cannot accept; <paramref name="param"/> names the offending field.</summary>
    public static OpenAiErrorResponse InvalidRequest(string message, string? param = null, string? code = null) => new(
        StatusCodes.Status400BadRequest,
        new OpenAiError(message, InvalidRequestType, param, code));

    /// <summary>400 from a <see cref="InvalidRequestError"/> found by a request shape validator.</summary>
    public static OpenAiErrorResponse InvalidRequest(InvalidRequestError error) => InvalidRequest(error.Message, error.Param, error.OpenAiCode);

    /// <summary>400: the body is not JSON, in OpenAI's wording.</summary>
    public static OpenAiErrorResponse MalformedJson() => InvalidRequest(InvalidRequestError.MalformedJson);

    /// <summary>413: the body is larger than the relay accepts.</summary>
    public static OpenAiErrorResponse RequestTooLarge(long maxBytes) => new(
        StatusCodes.Status413RequestEntityTooLarge,
        new OpenAiError($"The request body is too large: the maximum is {maxBytes} bytes.", InvalidRequestType, null, "request_too_large"));

    /// <summary>502: every channel failed or answered something unusable. No upstream detail is leaked.</summary>
    public static OpenAiErrorResponse UpstreamError() => new(
        StatusCodes.Status502BadGateway,
        new OpenAiError("The upstream model provider returned an error. The request was not charged; please retry.", ServerErrorType, null, "upstream_error"));

    /// <summary>503: no channel is available for the model (all circuits open, or none configured).</summary>
    public static OpenAiErrorResponse UpstreamUnavailable(string model) => new(
        StatusCodes.Status503ServiceUnavailable,
        new OpenAiError($"The model `{model}` is temporarily unavailable. The request was not charged; please retry shortly.", ServerErrorType, null, "upstream_unavailable"));

    /// <summary>504: the upstream did not answer in time.</summary>
    public static OpenAiErrorResponse UpstreamTimeout() => new(
        StatusCodes.Status504GatewayTimeout,
        new OpenAiError("The upstream model provider did not respond in time. The request was not charged; please retry.", ServerErrorType, null, "upstream_timeout"));

    private static string FormatSeconds(TimeSpan duration) =>
        duration < TimeSpan.FromSeconds(1)
            ? $"{Math.Max(1, (int)Math.Ceiling(duration.TotalMilliseconds))}ms"
            : $"{Math.Ceiling(duration.TotalSeconds):0}s";
}
