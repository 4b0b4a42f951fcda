using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Invoices;
using Portal.Core.Features.Payments;
using Portal.Core.Features.Payments.BankTransfer;

namespace Portal.Core.Features.Settings;

/// <summary>
/// What the settings page edits: the platform's name and logo, the receiving bank account and transfer rules, the
/// invoice seller block and tax rate, and the top-up limits. Each property is one configuration key (see <see cref="Keys"/>).
/// </summary>
public sealed record PlatformSettingsValues(
    string PlatformName,
    string LogoUrl,
    string BankAccountName,
    string BankName,
    string BankBranch,
    string BankAccountNumber,
    long TransferMinimumYuan,
    long TransferMaximumYuan,
    int TransferValidityDays,
    string SellerName,
    string SellerTaxpayerId,
    string SellerAddress,
    string SellerPhone,
    string SellerBank,
    string SellerAccount,
    decimal TaxRate,
    long TopUpMinimumYuan,
    long TopUpMaximumYuan)
{
    /// <summary>The values in effect now (configuration, overridden by what operators saved).</summary>
    public static PlatformSettingsValues Current(BrandingOptions b, BankTransferOptions t, InvoiceOptions i, PaymentsOptions p) => new(
        b.PlatformName, b.LogoUrl,
        t.AccountName, t.BankName, t.Branch, t.AccountNumber, t.MinimumYuan, t.MaximumYuan, t.ValidityDays,
        i.SellerName, i.SellerTaxpayerId, i.SellerAddress, i.SellerPhone, i.SellerBank, i.SellerAccount, i.TaxRate,
        p.MinimumTopUpYuan, p.MaximumTopUpYuan);

    /// <summary>Each value under the configuration key it overrides, spelled as configuration would spell it.</summary>
    public IReadOnlyDictionary<string, string> Keys() => new Dictionary<string, string>
    {
        [$"{BrandingOptions.Section}:{nameof(BrandingOptions.PlatformName)}"] = PlatformName.Trim(),
        [$"{BrandingOptions.Section}:{nameof(BrandingOptions.LogoUrl)}"] = LogoUrl.Trim(),
        [$"{BankTransferOptions.Section}:{nameof(BankTransferOptions.AccountName)}"] = BankAccountName.Trim(),
        [$"{BankTransferOptions.Section}:{nameof(BankTransferOptions.BankName)}"] = BankName.Trim(),
        [$"{BankTransferOptions.Section}:{nameof(BankTransferOptions.Branch)}"] = BankBranch.Trim(),
        [$"{BankTransferOptions.Section}:{nameof(BankTransferOptions.AccountNumber)}"] = BankAccountNumber.Trim(),
        [$"{BankTransferOptions.Section}:{nameof(BankTransferOptions.MinimumYuan)}"] = PlatformSettingsStore.Format(TransferMinimumYuan),
        [$"{BankTransferOptions.Section}:{nameof(BankTransferOptions.MaximumYuan)}"] = PlatformSettingsStore.Format(TransferMaximumYuan),
        [$"{BankTransferOptions.Section}:{nameof(BankTransferOptions.ValidityDays)}"] = PlatformSettingsStore.Format(TransferValidityDays),
        [$"{InvoiceOptions.Section}:{nameof(InvoiceOptions.SellerName)}"] = SellerName.Trim(),
        [$"{InvoiceOptions.Section}:{nameof(InvoiceOptions.SellerTaxpayerId)}"] = SellerTaxpayerId.Trim(),
        [$"{InvoiceOptions.Section}:{nameof(InvoiceOptions.SellerAddress)}"] = SellerAddress.Trim(),
        [$"{InvoiceOptions.Section}:{nameof(InvoiceOptions.SellerPhone)}"] = SellerPhone.Trim(),
        [$"{InvoiceOptions.Section}:{nameof(InvoiceOptions.SellerBank)}"] = SellerBank.Trim(),
        [$"{InvoiceOptions.Section}:{nameof(InvoiceOptions.SellerAccount)}"] = SellerAccount.Trim(),
        [$"{InvoiceOptions.Section}:{nameof(InvoiceOptions.TaxRate)}"] = PlatformSettingsStore.Format(TaxRate),
        [$"{PaymentsOptions.Section}:{nameof(PaymentsOptions.MinimumTopUpYuan)}"] = PlatformSettingsStore.Format(TopUpMinimumYuan),
        [$"{PaymentsOptions.Section}:{nameof(PaymentsOptions.MaximumTopUpYuan)}"] = PlatformSettingsStore.Format(TopUpMaximumYuan),
    };
}

/// <summary>Reads the settings in effect for the settings page.</summary>
public sealed class PlatformSettingsQueries(
    IOptionsMonitor<BrandingOptions> branding,
    IOptionsMonitor<BankTransferOptions> transfers,
    IOptionsMonitor<InvoiceOptions> invoices,
    IOptionsMonitor<PaymentsOptions> payments)
{
    public PlatformSettingsValues Current() =>
        PlatformSettingsValues.Current(branding.CurrentValue, transfers.CurrentValue, invoices.CurrentValue, payments.CurrentValue);
}
