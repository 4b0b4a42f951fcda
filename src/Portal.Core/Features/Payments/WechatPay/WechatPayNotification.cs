using System.Text.Json;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments.WechatPay;

/// <summary>A notification's envelope (unencrypted part) and its decrypted resource.</summary>
public sealed record WechatPayNotification(string Id, string EventType, string ResourceType, JsonElement Resource)
{
    public const string TransactionSuccess = "TRANSACTION.SUCCESS";
    public const string RefundSuccess = "REFUND.SUCCESS";
    public const string RefundAbnormal = "REFUND.ABNORMAL";
    public const string RefundClosed = "REFUND.CLOSED";

    /// <summary>Reads the envelope of a body whose signature has already been verified, and decrypts its resource.</summary>
    public static Result<WechatPayNotification> Open(string body, string apiV3Key)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (WechatPayClient.Text(root, "id") is not { } id || WechatPayClient.Text(root, "event_type") is not { } eventType
                || !root.TryGetProperty("resource", out var r) || r.ValueKind != JsonValueKind.Object)
                return WechatPayErrors.InvalidResponse("The notification has no id, event_type or resource.");
            var resource = new WechatPayEncryptedResource(
                WechatPayClient.Text(r, "algorithm") ?? "", WechatPayClient.Text(r, "ciphertext") ?? "", WechatPayClient.Text(r, "associated_data") ?? "",
                WechatPayClient.Text(r, "nonce") ?? "", WechatPayClient.Text(r, "original_type"));
            var plain = WechatPayAead.Decrypt(apiV3Key, resource);
            if (!plain.IsSuccess) return plain.Error!;
            using var inner = JsonDocument.Parse(plain.Value!);
            if (inner.RootElement.ValueKind != JsonValueKind.Object) return WechatPayErrors.InvalidResponse("The resource is not a JSON object.");
            return new WechatPayNotification(id, eventType, WechatPayClient.Text(root, "resource_type") ?? "", inner.RootElement.Clone());
        }
        catch (JsonException)
        {
            return WechatPayErrors.InvalidResponse("The notification or its resource is not JSON.");
        }
    }

    /// <summary>The body WeChat Pay expects with a 4xx/5xx when the merchant wants the notification again.</summary>
    public static string FailBody(string message) => JsonSerializer.Serialize(new { code = "FAIL", message });
}
