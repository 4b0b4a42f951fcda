using System.ComponentModel.DataAnnotations;
using Portal.Core.Common;

namespace Portal.Core.Features.Payments.BankTransfer;

/// <summary>Bound from <c>BankTransfer</c>: the platform's receiving account and the rules for transfer top-ups.</summary>
public sealed class BankTransferOptions
{
    public const string Section = "BankTransfer";

    /// <summary>户名 of the receiving account. Transfers are offered only when all four account fields are set.</summary>
    [MaxLength(200)]
    public string AccountName { get; set; } = "";

    /// <summary>开户银行.</summary>
    [MaxLength(200)]
    public string BankName { get; set; } = "";

    /// <summary>开户支行.</summary>
    [MaxLength(200)]
    public string Branch { get; set; } = "";

    /// <summary>账号.</summary>
    [MaxLength(64)]
    public string AccountNumber { get; set; } = "";

    /// <summary>Smallest transfer top-up in whole yuan.</summary>
    [Range(1, 1_000_000_000)]
    public long MinimumYuan { get; set; } = 1_000;

    /// <summary>Largest transfer top-up in whole yuan.</summary>
    [Range(1, 1_000_000_000)]
    public long MaximumYuan { get; set; } = 10_000_000;

    /// <summary>How long a remittance code can be matched.</summary>
    [Range(1, 365)]
    public int ValidityDays { get; set; } = 30;

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(AccountName) && !string.IsNullOrWhiteSpace(BankName)
        && !string.IsNullOrWhiteSpace(Branch) && !string.IsNullOrWhiteSpace(AccountNumber);

    public Money Minimum => Money.FromYuan(MinimumYuan);

    public Money Maximum => Money.FromYuan(MaximumYuan);

    public TimeSpan Validity => TimeSpan.FromDays(ValidityDays);
}
