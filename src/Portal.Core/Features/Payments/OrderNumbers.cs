using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments;

/// <summary>Merchant order numbers: <c>TU20261128123456X7K2M9QP4A</c> (prefix, Beijing time, 10 random characters).</summary>
public static partial class OrderNumbers
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public static string NewTopUp(TimeProvider clock)
    {
        var random = RandomNumberGenerator.GetString(Alphabet, 10);
        return "TU" + ChinaTime.ToChina(clock.GetUtcNow()).ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + random;
    }

    /// <summary>Alipay's rule for out_trade_no: at most 64 letters, digits and underscores.</summary>
    public static bool IsValid(string? orderNo) => orderNo is not null && Pattern().IsMatch(orderNo);

    [GeneratedRegex("^[A-Za-z0-9_]{1,64}$")]
    private static partial Regex Pattern();
}
