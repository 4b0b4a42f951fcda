namespace Portal.Core.Features.Payments.Alipay;

/// <summary>Result of alipay.data.dataservice.bill.downloadurl.query.</summary>
/// <param name="Url">Download link; it expires after about 30 seconds, so download immediately.</param>
/// <param name="BillFileCode">EMPTY_DATA_WITH_BILL_FILE when there was no business that day.</param>
public sealed record AlipayBillDownloadUrl(string Url, string? BillFileCode);
