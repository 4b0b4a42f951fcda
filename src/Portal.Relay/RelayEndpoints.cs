using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Portal.Relay.Errors;

namespace Portal.Relay;

/// <summary>
/// The OpenAI-compatible <c>/v1</c> surface. The building blocks (keys, pricing, token counting, SSE, access
/// checks, the simulator upstream, errors) exist; the endpoints that use them are the relay issue's work. Until
/// then every <c>/v1</c> path answers in OpenAI's error shape and says so, rather than with the portal's HTML 404.
/// </summary>
public static class RelayEndpoints
{
    public static IEndpointRouteBuilder MapRelay(this IEndpointRouteBuilder app)
    {
        var notEnabled = new OpenAiErrorResponse(StatusCodes.Status404NotFound,
            new OpenAiError("The model relay is not enabled on this portal yet.", "invalid_request_error", null, "relay_not_enabled"));
        app.Map("/v1/{**path}", () => notEnabled.ToResult()).AllowAnonymous().DisableAntiforgery();
        return app;
    }
}
