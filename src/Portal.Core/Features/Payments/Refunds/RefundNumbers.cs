using System.Globalization;
using System.Security.Cryptography;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments.Refunds;

/// <summary>Refund numbers <c>RF20261128123456X7K2M9QP4A</c> and Alipay request numbers <c>RF…_1</c> (≤ 64 of [A-Za-z0-9_]).</summary>
public static class RefundNumbers
{
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    public static string New(TimeProvider clock) =>
        "RF" + ChinaTime.ToChina(clock.GetUtcNow()).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + RandomNumberGenerator.GetString(Alphabet, 10);

    /// <summary>The out_request_no of a refund's n-th part: stable, so a retry is the same request to Alipay.</summary>
    public static string OutRequestNo(string refundNo, int index) => $"{refundNo}_{index.ToString(CultureInfo.InvariantCulture)}";
}
