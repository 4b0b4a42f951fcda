using Portal.Core.Common;

namespace Portal.Web.Endpoints;

/// <summary>Maps use-case results to HTTP: not found (including another tenant's object) is 404, validation 400 with field errors.</summary>
public static class ResultHttp
{
    public static IResult ToHttp<T>(this Result<T> result, Func<T, IResult>? onSuccess = null) =>
        result.IsSuccess ? (onSuccess?.Invoke(result.Value!) ?? Results.Ok(result.Value)) : Problem(result.Error!);

    public static IResult Problem(Error error) => error switch
    {
        ValidationError v => Results.ValidationProblem(v.Fields.ToDictionary(f => f.Key, f => f.Value), title: "Validation failed", extensions: Code(error)),
        _ when error.Code.EndsWith(".NotFound", StringComparison.Ordinal) => Results.Problem(statusCode: 404, title: "Not found", detail: error.Message, extensions: Code(error)),
        _ when error.Code == "Auth.Forbidden" => Results.Problem(statusCode: 403, title: "Forbidden", detail: error.Message, extensions: Code(error)),
        _ => Results.Problem(statusCode: 409, title: error.Message, detail: error.Message, extensions: Code(error)),
    };

    private static Dictionary<string, object?> Code(Error error) => new() { ["code"] = error.Code };
}
