using System.Text.Json;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>A synchronous gateway response whose signature has been checked (or which is an unsigned failure).</summary>
/// <param name="NodeName">The node the content came from (method node or <c>error_response</c>).</param>
/// <param name="RawJson">The signed text of the node.</param>
/// <param name="Content">The parsed node.</param>
/// <param name="Code">Gateway code: 10000 success, 20000 unknown (query again), 4000x failures.</param>
/// <param name="Msg">Gateway message.</param>
/// <param name="SubCode">Business error code, e.g. ACQ.TRADE_NOT_EXIST.</param>
/// <param name="SubMsg">Business error message, meant for operators.</param>
public sealed record AlipayResponse(
    string NodeName,
    string RawJson,
    JsonElement Content,
    string Code,
    string? Msg,
    string? SubCode,
    string? SubMsg)
{
    /// <summary>The only code that means the call succeeded.</summary>
    public const string SuccessCode = "10000";

    /// <summary>True when <see cref="Code"/> is 10000.</summary>
    public bool IsSuccessCode => Code == SuccessCode;

    /// <summary>A string property of the node, or null when absent or not a string.</summary>
    public string? GetString(string name) =>
        Content.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The business failure as <c>Alipay.{sub_code or code}</c> with the most specific message.</summary>
    public Error ToError() =>
        new($"Alipay.{SubCode ?? Code}", SubMsg ?? Msg ?? $"Alipay returned code {Code}.");
}
