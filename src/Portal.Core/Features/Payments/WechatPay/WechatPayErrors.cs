using Portal.Core.Common;

namespace Portal.Core.Features.Payments.WechatPay;

/// <summary>
/// Error codes produced by the client itself. WeChat Pay's business errors come back as <c>WechatPay.{code}</c>
/// (e.g. <c>WechatPay.ORDER_NOT_EXIST</c>, <c>WechatPay.SIGN_ERROR</c>).
/// </summary>
public static class WechatPayErrors
{
    /// <summary>Transport failure, timeout or 5xx: the outcome is unknown, so query before retrying money moves.</summary>
    public const string UnavailableCode = "WechatPay.Unavailable";

    /// <summary>The answer is not what the API documents (malformed JSON, missing fields).</summary>
    public const string InvalidResponseCode = "WechatPay.InvalidResponse";

    /// <summary>The answer's or notification's signature, timestamp or serial does not check out: never trust its content.</summary>
    public const string InvalidSignatureCode = "WechatPay.InvalidSignature";

    /// <summary>The trade bill failed its SHA1 check or is not in WeChat Pay's CSV layout.</summary>
    public const string InvalidBillCode = "WechatPay.InvalidBill";

    /// <summary>The order is unknown at WeChat Pay (query and close before the order exists there).</summary>
    public const string OrderNotExist = "WechatPay.ORDER_NOT_EXIST";

    /// <summary>The refund is unknown at WeChat Pay.</summary>
    public const string ResourceNotExists = "WechatPay.RESOURCE_NOT_EXISTS";

    internal static Error Unavailable(string message) => new(UnavailableCode, message);

    internal static Error InvalidResponse(string message) => new(InvalidResponseCode, message);

    internal static Error InvalidSignature(string message) => new(InvalidSignatureCode, message);

    internal static Error InvalidBill(string message) => new(InvalidBillCode, message);
}
