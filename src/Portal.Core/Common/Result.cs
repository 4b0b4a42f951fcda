using System.Diagnostics.CodeAnalysis;

namespace Portal.Core.Common;

/// <summary>A business failure: a stable code (<c>"Tenants.LastOwner"</c>) and a message for people.</summary>
public record Error(string Code, string Message)
{
    /// <summary>The object does not exist or belongs to another tenant; callers answer 404 either way.</summary>
    public static Error NotFound(string what) => new($"{what}.NotFound", $"{what} not found.");

    /// <summary>The caller is authenticated but its role does not allow the action.</summary>
    public static Error Forbidden(string message = "You do not have permission to do this.") => new("Auth.Forbidden", message);

    /// <summary>Validation failed on one or more fields.</summary>
    public static Error Validation(IReadOnlyDictionary<string, string[]> fields) =>
        new ValidationError(fields);
}

/// <summary>A failure tied to form fields; <see cref="Fields"/> maps a field name to its messages.</summary>
public sealed record ValidationError : Error
{
    public ValidationError(IReadOnlyDictionary<string, string[]> fields)
        : base("Validation", string.Join(" ", fields.SelectMany(f => f.Value)))
    {
        Fields = fields;
    }

    public IReadOnlyDictionary<string, string[]> Fields { get; }
}

/// <summary>The outcome of a use case: a value or an <see cref="Error"/>. Exceptions are for bugs.</summary>
public readonly record struct Result<T>
{
    private Result(T value)
    {
        IsSuccess = true;
        Value = value;
        Error = null;
    }

    private Result(Error error)
    {
        IsSuccess = false;
        Value = default;
        Error = error;
    }

    /// <summary>True when <see cref="Value"/> holds the result; false when <see cref="Error"/> says why not.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess { get; }

    public T? Value { get; }

    public Error? Error { get; }

    public static Result<T> Success(T value) => new(value);

    public static Result<T> Failure(Error error) => new(error ?? throw new ArgumentNullException(nameof(error)));

    public static implicit operator Result<T>(T value) => Success(value);

    public static implicit operator Result<T>(Error error) => Failure(error);
}

/// <summary>Marker value for use cases that return nothing on success.</summary>
public readonly record struct Unit
{
    public static readonly Unit Value = default;
}
