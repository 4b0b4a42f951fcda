using Portal.Core.Data;

namespace Portal.Core.Features.Invoices;

/// <summary>
/// A tenant's statement (对账单) of one completed month, generated once (by the job on the 1st, or on first download)
/// and kept: its PDF and CSV in the file store, its opening and closing balance for quick display.
/// </summary>
public sealed class MonthlyStatement : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public int Year { get; set; }

    public int Month { get; set; }

    public long OpeningMicroYuan { get; set; }

    public long ClosingMicroYuan { get; set; }

    public string PdfFileKey { get; set; } = "";

    public string CsvFileKey { get; set; } = "";

    public DateTimeOffset GeneratedAt { get; set; }
}
