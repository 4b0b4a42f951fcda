using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Portal.Relay.Errors;

namespace Portal.UnitTests.Relay.Errors;

public class OpenAiErrorsTests
{
    [Fact]
    public void Serialises_to_openai_shape_with_explicit_nulls()
    {
        var json = OpenAiErrors.InvalidApiKey().ToJson();

        Assert.Equal(
            """{"error":{"message":"You didn\u0027t provide a valid API key. Pass it as \u0027Authorization: Bearer sk-cn-\u2026\u0027. Keys are managed in the portal under API keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}""",
            json);
    }

    public static TheoryData<OpenAiErrorResponse, int, string, string?, string?> Cases => new()
    {
        { OpenAiErrors.InvalidApiKey("sk-cn-AbCd…wxyz"), 401, "invalid_request_error", "invalid_api_key", null },
        { OpenAiErrors.ModelNotAllowed("gpt-4o"), 403, "invalid_request_error", "model_not_allowed", "model" },
        { OpenAiErrors.IpNotAllowed("203.0.113.9"), 403, "invalid_request_error", "ip_not_allowed", null },
        { OpenAiErrors.ModelNotFound("gpt-9"), 404, "invalid_request_error", "model_not_found", "model" },
        { OpenAiErrors.RateLimitExceeded(60, TimeSpan.FromSeconds(1.5)), 429, "requests", "rate_limit_exceeded", null },
        { OpenAiErrors.InsufficientQuota(), 429, "insufficient_quota", "insufficient_quota", null },
        { OpenAiErrors.KeyBudgetExceeded(), 429, "insufficient_quota", "insufficient_quota", null },
        { OpenAiErrors.MalformedJson(), 400, "invalid_request_error", "invalid_json", null },
        { OpenAiErrors.RequestTooLarge(1_048_576), 413, "invalid_request_error", "request_too_large", null },
        { OpenAiErrors.UpstreamError(), 502, "server_error", "upstream_error", null },
        { OpenAiErrors.UpstreamUnavailable("gpt-4o"), 503, "server_error", "upstream_unavailable", null },
        { OpenAiErrors.UpstreamTimeout(), 504, "server_error", "upstream_timeout", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_failure_has_openai_status_type_and_code(OpenAiErrorResponse response, int status, string type, string? code, string? param)
    {
        Assert.Equal(status, response.StatusCode);
        using var document = JsonDocument.Parse(response.ToJsonBytes());
        var error = document.RootElement.GetProperty("error");
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
    }

    [Fact]
    public void Model_not_found_uses_openai_wording()
    {
        Assert.Equal("The model `gpt-9` does not exist or you do not have access to it.", OpenAiErrors.ModelNotFound("gpt-9").Error.Message);
    }

    [Fact]
    public void Rate_limit_error_carries_retry_after_rounded_up()
    {
        Assert.Equal(2, OpenAiErrors.RateLimitExceeded(60, TimeSpan.FromSeconds(1.5)).RetryAfterSeconds);
        Assert.Equal(1, OpenAiErrors.RateLimitExceeded(60, TimeSpan.FromMilliseconds(10)).RetryAfterSeconds);
    }

    [Fact]
    public void Invalid_request_error_maps_param_and_code()
    {
        var response = OpenAiErrors.InvalidRequest(new InvalidRequestError("bad", "messages[0].role", "invalid_value"));

        Assert.Equal(400, response.StatusCode);
        Assert.Equal(new OpenAiError("bad", "invalid_request_error", "messages[0].role", "invalid_value"), response.Error);
    }

    [Fact]
    public async Task Result_writes_status_retry_after_and_json_body()
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().BuildServiceProvider() };
        var body = new MemoryStream();
        context.Response.Body = body;

        await OpenAiErrors.RateLimitExceeded(60, TimeSpan.FromSeconds(3)).ToResult().ExecuteAsync(context);

        Assert.Equal(429, context.Response.StatusCode);
        Assert.Equal("3", context.Response.Headers.RetryAfter);
        Assert.StartsWith("application/json", context.Response.ContentType, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(body.ToArray());
        Assert.Equal("rate_limit_exceeded", document.RootElement.GetProperty("error").GetProperty("code").GetString());
    }
}
