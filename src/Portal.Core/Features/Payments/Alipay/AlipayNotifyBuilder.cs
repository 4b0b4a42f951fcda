using System.Security.Cryptography;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>Builds signed asynchronous notification forms (trade_status_sync), for the simulator.</summary>
public static class AlipayNotifyBuilder
{
    /// <summary>
    /// Returns the form fields to POST to the merchant's notify_url: the given fields without empty values,
    /// plus <c>sign_type=RSA2</c> and a <c>sign</c> computed with the V1 rule (sign_type not signed), which is
    /// how real trade notifications are signed.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> BuildSignedFields(
        IEnumerable<KeyValuePair<string, string?>> fields,
        RSA alipayPrivateKey)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var kept = fields
            .Where(f => !string.IsNullOrEmpty(f.Value) && f.Key is not ("sign" or "sign_type"))
            .Select(f => new KeyValuePair<string, string>(f.Key, f.Value!))
            .ToList();
        if (kept.Select(f => f.Key).Distinct(StringComparer.Ordinal).Count() != kept.Count)
        {
            throw new ArgumentException("A notification field appears more than once.", nameof(fields));
        }

        var content = AlipaySignature.BuildNotifyContentV1(kept.Select(f => new KeyValuePair<string, string?>(f.Key, f.Value)));
        kept.Add(new("sign_type", AlipaySignature.SignTypeRsa2));
        kept.Add(new("sign", AlipaySignature.Sign(content, alipayPrivateKey)));
        return kept;
    }
}
