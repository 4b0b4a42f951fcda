using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Features.DataRights;

/// <summary>
/// Bound from <c>DataRights</c>: how long an export stays downloadable, and how long a closed account's financial
/// records are kept. The retention floors are the legal minimums (README Decisions): configuration may lengthen, never shorten.
/// </summary>
public sealed class DataRightsOptions
{
    public const string Section = "DataRights";

    /// <summary>Days an export ZIP can be downloaded before the expiry job deletes it.</summary>
    [Range(1, 30)]
    public int ExportDownloadDays { get; set; } = 7;

    /// <summary>会计凭证 and 会计账簿 (ledger, usage charges, top-ups, transfers, refunds, plan purchases): 《会计档案管理办法》 30 years.</summary>
    [Range(30, 100)]
    public int AccountingRetentionYears { get; set; } = 30;

    /// <summary>
    /// Invoices: 《发票管理办法》 asks 5 years of the issuer, but an issued invoice is also an original voucher (原始凭证)
    /// under 《会计档案管理办法》, so the default keeps it as long as the books.
    /// </summary>
    [Range(5, 100)]
    public int InvoiceRetentionYears { get; set; } = 30;

    /// <summary>Monthly statements (对账单), like 银行对账单 under 《会计档案管理办法》: 10 years.</summary>
    [Range(10, 100)]
    public int StatementRetentionYears { get; set; } = 10;
}
