using Portal.Core.Localization;
namespace Portal.Core.Features.Payments;

public enum ReconciliationIssue
{
    /// <summary>The bill has a trade whose out_trade_no the portal does not know.</summary>
    [EnumText("Unknown trade")]
    UnknownTrade,

    /// <summary>The bill's amount differs from the order's.</summary>
    [EnumText("Amount mismatch")]
    AmountMismatch,

    /// <summary>Alipay says paid (or refunded) but the order is not Paid here.</summary>
    [EnumText("Status mismatch")]
    StatusMismatch,

    /// <summary>Paid here on the bill date but absent from Alipay's bill.</summary>
    [EnumText("Missing in the bill")]
    MissingInBill,
}

/// <summary>
/// A difference between Alipay's daily bill and the portal's orders, waiting in the finance queue until an
/// operator resolves it with a note. <see cref="Key"/> is unique, so running the comparison twice adds nothing.
/// </summary>
public sealed class ReconciliationException
{
    public Guid Id { get; set; }

    /// <summary><c>{yyyyMMdd}:{issue}:{out_trade_no}[:{refund no}]</c>.</summary>
    public string Key { get; set; } = "";

    public DateOnly BillDate { get; set; }

    public ReconciliationIssue Issue { get; set; }

    public string OutTradeNo { get; set; } = "";

    public string? TradeNo { get; set; }

    public Guid? TenantId { get; set; }

    public long? LocalAmountMicroYuan { get; set; }

    public long? BillAmountMicroYuan { get; set; }

    public string Detail { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ResolvedAt { get; set; }

    public string? ResolvedBy { get; set; }

    public string? ResolutionNote { get; set; }
}
