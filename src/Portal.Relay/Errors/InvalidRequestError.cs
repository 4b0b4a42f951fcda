using Portal.Core.Common;

namespace Portal.Relay.Errors;

/// <summary>
/// A request the relay rejects with 400 before forwarding. <see cref="Param"/> names the offending field in OpenAI's
/// style (<c>messages</c>, <c>messages[2].role</c>); <see cref="OpenAiCode"/> is the <c>code</c> of the error body.
/// </summary>
public sealed record InvalidRequestError : Error
{
    /// <summary>Creates the error; the portal-side code is <c>Relay.InvalidRequest</c>.</summary>
    public InvalidRequestError(string message, string? param, string? openAiCode = null)
        : base("Relay.InvalidRequest", message)
    {
        Param = param;
        OpenAiCode = openAiCode;
    }

    /// <summary>The field at fault, or null.</summary>
    public string? Param { get; }

    /// <summary>The OpenAI <c>code</c>, or null.</summary>
    public string? OpenAiCode { get; }

    /// <summary>The body is not valid JSON (OpenAI's wording).</summary>
    public static InvalidRequestError MalformedJson { get; } = new(
        "We could not parse the JSON body of your request. The API expects a JSON payload; what was sent was not valid JSON.",
        null,
        "invalid_json");

    internal static InvalidRequestError Missing(string param) => new($"you must provide a {param} parameter", param, "missing_required_parameter");

    internal static InvalidRequestError WrongType(string param, string expected) =>
        new($"Invalid type for '{param}': expected {expected}.", param, "invalid_type");

    internal static InvalidRequestError InvalidValue(string param, string message) => new(message, param, "invalid_value");
}
