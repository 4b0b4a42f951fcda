using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Portal.Relay;

/// <summary>
/// The OpenAI-compatible <c>/v1</c> surface. The relay itself (keys, holds, forwarding, metering) is not built yet:
/// until it is, every <c>/v1</c> path answers in OpenAI's error shape and says so, rather than the portal's HTML 404.
/// </summary>
public static class RelayEndpoints
{
    public static IEndpointRouteBuilder MapRelay(this IEndpointRouteBuilder app)
    {
        app.Map("/v1/{**path}", () => new OpenAiError(
                "The model relay is not enabled on this portal yet.", "invalid_request_error", null, "relay_not_enabled").ToResult(StatusCodes.Status404NotFound))
            .AllowAnonymous()
            .DisableAntiforgery();
        return app;
    }
}
