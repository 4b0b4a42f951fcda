using Portal.Core.Common;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>
/// Error codes produced by this client itself. Business failures reported by Alipay use
/// <c>Alipay.{sub_code or code}</c> instead (e.g. <c>Alipay.ACQ.TRADE_NOT_EXIST</c>).
/// </summary>
public static class AlipayErrors
{
    /// <summary>Transport failure, timeout or HTTP error: the outcome is unknown, so query before retrying money moves.</summary>
    public const string UnavailableCode = "Alipay.Unavailable";

    /// <summary>The body is not a well-formed Alipay response (missing, duplicated or malformed nodes).</summary>
    public const string InvalidResponseCode = "Alipay.InvalidResponse";

    /// <summary>The response signature does not verify with the Alipay public key: never trust its content.</summary>
    public const string InvalidSignatureCode = "Alipay.InvalidSignature";

    /// <summary>An error response without a signature; its content may be forged, so it is not reported as a business code.</summary>
    public const string UnsignedResponseCode = "Alipay.UnsignedResponse";

    /// <summary>The downloaded bill is not a ZIP with a trade detail CSV in Alipay's layout.</summary>
    public const string InvalidBillCode = "Alipay.InvalidBill";

    internal static Error Unavailable(string message) => new(UnavailableCode, message);

    internal static Error InvalidResponse(string message) => new(InvalidResponseCode, message);

    internal static Error InvalidSignature(string message) => new(InvalidSignatureCode, message);

    internal static Error UnsignedResponse(string message) => new(UnsignedResponseCode, message);

    internal static Error InvalidBill(string message) => new(InvalidBillCode, message);
}
