using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Portal.Relay.Errors;

/// <summary>An HTTP status with OpenAI's error body: what every failing <c>/v1</c> request answers.</summary>
public sealed record OpenAiErrorResponse(int StatusCode, OpenAiError Error)
{
    /// <summary>Seconds the client should wait before retrying (sent as <c>Retry-After</c>); null when not applicable.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>The UTF-8 JSON body.</summary>
    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(new OpenAiErrorBody(Error), OpenAiJsonContext.Default.OpenAiErrorBody);

    /// <summary>The JSON body as a string.</summary>
    public string ToJson() => JsonSerializer.Serialize(new OpenAiErrorBody(Error), OpenAiJsonContext.Default.OpenAiErrorBody);

    /// <summary>An <see cref="IResult"/> for minimal APIs; sets <c>Retry-After</c> when known.</summary>
    public IResult ToResult() => new ErrorResult(this);

    private sealed class ErrorResult(OpenAiErrorResponse response) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            if (response.RetryAfterSeconds is { } seconds)
                httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            httpContext.Response.StatusCode = response.StatusCode;
            return httpContext.Response.WriteAsJsonAsync(new OpenAiErrorBody(response.Error), OpenAiJsonContext.Default.OpenAiErrorBody);
        }
    }
}
