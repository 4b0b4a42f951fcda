using Portal.Core.Data;

namespace Portal.Core.Features.Invoices;

/// <summary>
/// A tenant's 开票信息: who the invoices are made out to and where they are emailed. One per tenant. The title and
/// taxpayer id must match the tenant's approved real-name verification; requests copy the profile, so changing it
/// later never changes an invoice already requested.
/// </summary>
public sealed class InvoiceProfile : ITenantOwned
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>发票抬头: the verified company name, or the verified real name of an individual.</summary>
    public string Title { get; set; } = "";

    /// <summary>纳税人识别号: the verified 统一社会信用代码; empty for an individual who does not want it printed.</summary>
    public string TaxpayerId { get; set; } = "";

    /// <summary>注册地址.</summary>
    public string Address { get; set; } = "";

    /// <summary>注册电话.</summary>
    public string Phone { get; set; } = "";

    /// <summary>开户银行.</summary>
    public string BankName { get; set; } = "";

    /// <summary>银行账号.</summary>
    public string BankAccount { get; set; } = "";

    /// <summary>Where issued invoices are emailed.</summary>
    public string Email { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }

    public string UpdatedBy { get; set; } = "";

    /// <summary>Everything a 增值税专用发票 needs besides title and taxpayer id.</summary>
    public bool IsCompleteForSpecial =>
        !string.IsNullOrWhiteSpace(TaxpayerId) && !string.IsNullOrWhiteSpace(Address) && !string.IsNullOrWhiteSpace(Phone)
        && !string.IsNullOrWhiteSpace(BankName) && !string.IsNullOrWhiteSpace(BankAccount);
}
