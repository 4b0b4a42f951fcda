using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Data;
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

/// <summary>How the bill comparisons (Alipay's and WeChat Pay's) fill the finance queue.</summary>
public static class ReconciliationQueue
{
    /// <summary>A queue row keyed <c>{prefix}{yyyyMMdd}:{issue}:{out_trade_no}[:{suffix}]</c>, so the same finding is raised once.</summary>
    public static ReconciliationException Raise(string keyPrefix, DateOnly billDate, ReconciliationIssue issue, string outTradeNo, string? tradeNo, TopUpOrder? order,
        long? billAmount, string detail, string? suffix, DateTimeOffset now) => new()
        {
            Id = Ids.New(),
            Key = $"{keyPrefix}{billDate:yyyyMMdd}:{issue}:{outTradeNo}" + (suffix is null ? "" : ":" + suffix),
            BillDate = billDate,
            Issue = issue,
            OutTradeNo = outTradeNo,
            TradeNo = tradeNo,
            TenantId = order?.TenantId,
            LocalAmountMicroYuan = order?.AmountMicroYuan,
            BillAmountMicroYuan = billAmount,
            Detail = detail,
            CreatedAt = now,
        };

    /// <summary>Adds the findings not already queued; returns how many were new.</summary>
    public static async Task<int> AddNewAsync(PortalDbContext db, IReadOnlyList<ReconciliationException> found, CancellationToken cancellationToken)
    {
        var keys = found.Select(f => f.Key).ToList();
        var existing = (await db.ReconciliationExceptions.Where(r => keys.Contains(r.Key)).Select(r => r.Key).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var added = found.Where(f => existing.Add(f.Key)).ToList();
        if (added.Count == 0) return 0;
        db.ReconciliationExceptions.AddRange(added);
        // NOTE: the unique index on Key closes the race between two concurrent runs: the second fails here and adds
        // nothing (Hangfire's DisableConcurrentExecution normally prevents it anyway).
        await db.SaveChangesAsync(cancellationToken);
        return added.Count;
    }
}
