using Portal.Core.Features.Payments.WechatPay;

namespace Portal.UnitTests.Features.Payments.WechatPay;

public class WechatPayBillAndOptionsTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 2, 3, 4, TimeSpan.Zero);

    [Fact]
    public void Bill_lines_are_backtick_prefixed_and_parse_back_with_their_totals()
    {
        var lines = new List<WechatPayBillLine>
        {
            new(At, "wx1", "1900009191", "4200000001", "TU1", "NATIVE", "SUCCESS", 300_000_000, null, null, 0, null, "Portal 账户充值, ¥300.00"),
            new(At.AddMinutes(5), "wx1", "1900009191", "4200000001", "TU1", "NATIVE", "REFUND", 0, "5030001", "RF1_1", 100_000_000, "SUCCESS", "Portal 账户充值"),
        };
        var csv = WechatPayBill.Write(lines);
        Assert.Contains("`2026-12-01 10:03:04,`wx1,`1900009191,", csv);
        var parsed = WechatPayBill.Parse(csv);
        Assert.True(parsed.IsSuccess, parsed.Error?.Message);
        Assert.Equal(2, parsed.Value!.Count);
        Assert.Equal(("TU1", "4200000001", 300_000_000L, false), (parsed.Value[0].OutTradeNo, parsed.Value[0].TransactionId, parsed.Value[0].SettlementMicroYuan, parsed.Value[0].IsRefund));
        Assert.Equal(("RF1_1", 100_000_000L, true), (parsed.Value[1].OutRefundNo, parsed.Value[1].RefundMicroYuan, parsed.Value[1].IsRefund));
        Assert.Equal(At, parsed.Value[0].At);
    }

    [Fact]
    public void A_bill_whose_totals_disagree_or_whose_fields_lack_the_backtick_is_refused()
    {
        var csv = WechatPayBill.Write([new(At, "wx1", "1", "42", "TU1", "NATIVE", "SUCCESS", 1_000_000, null, null, 0, null, "x")]);
        Assert.Equal(WechatPayErrors.InvalidBillCode, WechatPayBill.Parse(csv.Replace("`1.00,`0.00,`0.00,`0.00000,`1.00", "`2.00,`0.00,`0.00,`0.00000,`1.00", StringComparison.Ordinal)).Error?.Code);
        Assert.Equal(WechatPayErrors.InvalidBillCode, WechatPayBill.Parse(csv.Replace("`TU1", "TU1", StringComparison.Ordinal)).Error?.Code);
        Assert.Equal(WechatPayErrors.InvalidBillCode, WechatPayBill.Parse("交易时间,商户号\r\n").Error?.Code);
    }

    [Theory]
    [InlineData(WechatPayMode.Sandbox)]
    [InlineData(WechatPayMode.Production)]
    public void Real_merchants_name_every_missing_key(WechatPayMode mode)
    {
        Assert.Equal(
            ["WechatPay:MchId", "WechatPay:AppId", "WechatPay:MerchantSerialNo", "WechatPay:MerchantPrivateKey", "WechatPay:ApiV3Key"],
            new WechatPayOptions { Mode = mode }.MissingKeys());
        var withoutPublicKey = new WechatPayOptions { Mode = mode, MchId = "1", AppId = "wx", MerchantSerialNo = "S", MerchantPrivateKeyFile = "/k.pem", ApiV3Key = "k", PublicKeyId = "PUB_KEY_ID_1" };
        Assert.Equal(["WechatPay:PublicKey"], withoutPublicKey.MissingKeys());
        Assert.Empty(new WechatPayOptions { Mode = WechatPayMode.Simulator }.MissingKeys());
    }

    [Fact]
    public void Gateway_defaults_to_api_mch_weixin_qq_com_and_amounts_go_in_fen()
    {
        Assert.Equal("https://api.mch.weixin.qq.com", new WechatPayOptions().ResolveGateway());
        Assert.Equal("https://proxy.example", new WechatPayOptions { Gateway = "https://proxy.example/" }.ResolveGateway());
        Assert.Equal(8880, WechatPayClient.Fen(88_800_000));
        Assert.Throws<ArgumentException>(() => WechatPayClient.Fen(1));
        Assert.Equal("2026-12-01T10:03:04+08:00", WechatPayClient.Time(At));
    }
}
