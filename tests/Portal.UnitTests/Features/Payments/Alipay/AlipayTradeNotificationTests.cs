using Portal.Core.Features.Payments.Alipay;

namespace Portal.UnitTests.Features.Payments.Alipay;

public class AlipayTradeNotificationTests
{
    private static readonly AlipayOptions Options = new()
    {
        AppId = "2021000000000001",
        SellerId = "2088102000000001",
        AlipayPublicKey = TestKeys.SpkiBase64(TestKeys.B),
    };

    private static List<KeyValuePair<string, string?>> Notify(params (string Key, string Value)[] overrides)
    {
        var fields = new Dictionary<string, string?>
        {
            ["notify_id"] = "N1",
            ["notify_type"] = "trade_status_sync",
            ["notify_time"] = "2024-05-01 12:40:01",
            ["app_id"] = "2021000000000001",
            ["seller_id"] = "2088102000000001",
            ["out_trade_no"] = "ORD-1",
            ["trade_no"] = "T1",
            ["trade_status"] = "TRADE_SUCCESS",
            ["total_amount"] = "88.00",
            ["gmt_payment"] = "2024-05-01 12:40:00",
        };
        foreach (var (key, value) in overrides)
        {
            fields[key] = value;
        }

        return AlipayNotifyBuilder.BuildSignedFields(fields, TestKeys.B).Select(f => new KeyValuePair<string, string?>(f.Key, f.Value)).ToList();
    }

    [Fact]
    public void Valid_payment_notification_is_read()
    {
        var result = AlipayTradeNotification.Verify(Notify(), Options);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(
            new AlipayTradeNotification("N1", "2021000000000001", "ORD-1", "T1", AlipayTradeStatus.TradeSuccess, 88_000_000, "2088102000000001", null, null,
                new DateTimeOffset(2024, 5, 1, 4, 40, 0, TimeSpan.Zero)),
            result.Value);
        Assert.True(result.Value.IsPaid);
    }

    [Fact]
    public void Partial_refund_notification_carries_the_refund_fields()
    {
        var result = AlipayTradeNotification.Verify(Notify(("refund_fee", "10.00"), ("out_biz_no", "ORD-1-R1")), Options);

        Assert.Equal(10_000_000, result.Value!.RefundFeeMicroYuan);
        Assert.Equal("ORD-1-R1", result.Value.OutBizNo);
    }

    [Theory]
    [InlineData("app_id", "2021999999999999")]
    [InlineData("seller_id", "2088999999999999")]
    [InlineData("trade_status", "TRADE_PENDING")]
    [InlineData("total_amount", "88.001")]
    public void Validly_signed_but_foreign_or_malformed_notification_is_rejected(string key, string value)
    {
        var result = AlipayTradeNotification.Verify(Notify((key, value)), Options);

        Assert.Equal(AlipayTradeNotification.InvalidCode, result.Error?.Code);
    }

    [Fact]
    public void Forged_notification_is_rejected()
    {
        var forged = Notify().Select(f => f.Key == "total_amount" ? new KeyValuePair<string, string?>(f.Key, "0.01") : f);

        Assert.Equal(AlipayTradeNotification.InvalidCode, AlipayTradeNotification.Verify(forged, Options).Error?.Code);
    }

    [Fact]
    public void Notification_signed_with_the_merchants_own_key_is_rejected()
    {
        // Verifying with the app public key instead of Alipay's is the classic configuration mistake.
        var options = new AlipayOptions { AppId = Options.AppId, AlipayPublicKey = TestKeys.SpkiBase64(TestKeys.A) };

        Assert.False(AlipayTradeNotification.Verify(Notify(), options).IsSuccess);
    }
}
