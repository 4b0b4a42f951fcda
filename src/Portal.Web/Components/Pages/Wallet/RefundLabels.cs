using MudBlazor;
using Portal.Core.Features.Payments.Refunds;

namespace Portal.Web.Components.Pages.Wallet;

/// <summary>How refunds and their parts are named and coloured on the tenant's and the operators' pages (English keys).</summary>
public static class RefundLabels
{
    public static string Status(RefundStatus status) => status switch
    {
        RefundStatus.Requested => "Awaiting review",
        RefundStatus.Approved => "Approved, paying out",
        RefundStatus.Completed => "Completed",
        RefundStatus.Rejected => "Rejected",
        _ => "Cancelled",
    };

    public static string Part(RefundAllocationStatus status) => status switch
    {
        RefundAllocationStatus.Succeeded => "Paid back",
        RefundAllocationStatus.Failed => "Needs finance",
        _ => "In progress",
    };

    /// <summary>Which way a part is paid back.</summary>
    public static string Kind(RefundAllocationKind kind) => kind switch
    {
        RefundAllocationKind.Alipay => "Alipay",
        RefundAllocationKind.Wechat => "WeChat Pay",
        _ => "Bank transfer",
    };

    public static Color Color(RefundStatus status) => status switch
    {
        RefundStatus.Completed => MudBlazor.Color.Success,
        RefundStatus.Requested => MudBlazor.Color.Info,
        RefundStatus.Approved => MudBlazor.Color.Primary,
        RefundStatus.Rejected => MudBlazor.Color.Error,
        _ => MudBlazor.Color.Default,
    };
}
