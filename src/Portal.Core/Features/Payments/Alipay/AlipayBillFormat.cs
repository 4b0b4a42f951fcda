using System.Text;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>
/// Alipay's trade bill file format: a ZIP of GBK-encoded CSVs, <c>&lt;PID&gt;_&lt;yyyyMMdd&gt;_业务明细.csv</c> (details)
/// and <c>..._业务明细(汇总).csv</c> (summary). Column names are matched after folding full-width parentheses,
/// because Alipay writes 订单金额（元） while some documentation copies show 订单金额(元).
/// </summary>
public static class AlipayBillFormat
{
    /// <summary>支付宝交易号.</summary>
    public const string TradeNo = "支付宝交易号";

    /// <summary>商户订单号.</summary>
    public const string OutTradeNo = "商户订单号";

    /// <summary>业务类型.</summary>
    public const string BusinessType = "业务类型";

    /// <summary>商品名称.</summary>
    public const string Subject = "商品名称";

    /// <summary>创建时间.</summary>
    public const string CreatedAt = "创建时间";

    /// <summary>完成时间.</summary>
    public const string CompletedAt = "完成时间";

    /// <summary>对方账户.</summary>
    public const string CounterpartyAccount = "对方账户";

    /// <summary>订单金额(元).</summary>
    public const string OrderAmount = "订单金额(元)";

    /// <summary>商家实收(元).</summary>
    public const string MerchantReceived = "商家实收(元)";

    /// <summary>退款批次号/请求号.</summary>
    public const string RefundRequestNo = "退款批次号/请求号";

    /// <summary>服务费(元).</summary>
    public const string ServiceFee = "服务费(元)";

    /// <summary>备注.</summary>
    public const string Remark = "备注";

    /// <summary>The detail file name marker; the summary file adds 汇总.</summary>
    public const string DetailMarker = "业务明细";

    /// <summary>The summary file name marker.</summary>
    public const string SummaryMarker = "汇总";

    /// <summary>Every detail column in the order Alipay writes them, as Alipay spells them (full-width parentheses).</summary>
    public static readonly IReadOnlyList<string> DetailColumns =
    [
        "支付宝交易号", "商户订单号", "业务类型", "商品名称", "创建时间", "完成时间", "门店编号", "门店名称", "操作员",
        "终端号", "对方账户", "订单金额（元）", "商家实收（元）", "支付宝红包（元）", "集分宝（元）", "支付宝优惠（元）",
        "商家优惠（元）", "券核销金额（元）", "券名称", "商家红包消费金额（元）", "卡消费金额（元）", "退款批次号/请求号",
        "服务费（元）", "分润（元）", "备注",
    ];

    private static readonly Lazy<Encoding> GbkEncoding = new(() =>
    {
        // GBK is not built into .NET (Core); the code-pages provider ships in the shared framework.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("GBK");
    });

    /// <summary>The GBK encoding used for the CSVs and, without the ZIP UTF-8 flag, for the entry names.</summary>
    public static Encoding Gbk => GbkEncoding.Value;

    /// <summary>Folds full-width parentheses and trims, so both spellings of a column name compare equal.</summary>
    public static string NormalizeColumnName(string name) =>
        name.Trim().Replace('（', '(').Replace('）', ')');
}
