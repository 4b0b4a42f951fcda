namespace Portal.Core.Features.Payments.Alipay;

/// <summary>
/// The parameters Alipay appends to return_url when the buyer's browser comes back from the cashier. Signed like a
/// notification (V1), but only good for the user experience: the order becomes Paid by notification or query.
/// </summary>
public static class AlipayReturn
{
    /// <summary>The out_trade_no when the parameters are Alipay's for this app (and seller); otherwise null.</summary>
    public static string? VerifiedOrderNo(IReadOnlyList<KeyValuePair<string, string?>> parameters, AlipayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string? Get(string key) => parameters.FirstOrDefault(p => p.Key == key).Value;
        if (Get("sign") is null || Get("app_id") != options.AppId) return null;
        if (!string.IsNullOrEmpty(options.SellerId) && Get("seller_id") != options.SellerId) return null;
        using var alipayPublicKey = RsaKeys.LoadPublicKey(options.AlipayPublicKey);
        return AlipaySignature.VerifyNotifyV1(parameters, alipayPublicKey) && OrderNumbers.IsValid(Get("out_trade_no")) ? Get("out_trade_no") : null;
    }
}
