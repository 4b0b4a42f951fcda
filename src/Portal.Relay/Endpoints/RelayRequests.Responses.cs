using Microsoft.AspNetCore.Http;
using Portal.Relay.Errors;
using Portal.Relay.Protocols.Responses;

namespace Portal.Relay.Endpoints;

/// <summary><c>POST /v1/responses</c>: the Responses API's request shape and its translated answers.</summary>
internal sealed partial class RelayRequests
{
    /// <summary>Response header listing the hosted tools a translation did not offer the model (see README, Decisions).</summary>
    public const string IgnoredToolsHeader = "x-portal-ignored-tools";

    private static RequestShape ResponsesShape(ReadOnlySpan<byte> json)
    {
        var decoded = ResponsesRequestDecoder.Decode(json);
        return decoded.IsSuccess
            ? new RequestShape(decoded.Value.Model, decoded.Value.Stream, decoded.Value.MaxOutputTokens, false, null) { Responses = decoded.Value }
            : new RequestShape("", false, null, false, OpenAiErrors.InvalidRequest((InvalidRequestError)decoded.Error));
    }

    /// <summary>The encoder of a translated answer; says which hosted tools the model was not offered.</summary>
    private ResponsesEncoder ResponsesEncoderFor(HttpContext context, Admitted admitted)
    {
        var request = admitted.Responses!;
        if (request.HostedTools.Count > 0 && !context.Response.HasStarted)
            context.Response.Headers[IgnoredToolsHeader] = string.Join(", ", request.HostedTools.Distinct());
        return new ResponsesEncoder(admitted.RequestId, admitted.Model.PublicId, admitted.At.ToUnixTimeSeconds(), request);
    }
}
