using System.Globalization;
using Microsoft.Extensions.Localization;
using Portal.Core.Features.Support;
using Portal.Core.Localization;

namespace Portal.Web.Components.Pages.Support;

/// <summary>Localized names and timer texts shared by the tenant and operator ticket pages.</summary>
public static class TicketLabels
{
    public static string Category(IStringLocalizer<SharedResource> l, TicketCategory category) => category switch
    {
        TicketCategory.Billing => l["Billing"],
        TicketCategory.Invoice => l["Invoice"],
        TicketCategory.ApiError => l["API error"],
        TicketCategory.Verification => l["Verification"],
        _ => l["Other"],
    };

    public static string Status(IStringLocalizer<SharedResource> l, TicketStatus status) => status switch
    {
        TicketStatus.Open => l["Awaiting support"],
        TicketStatus.WaitingForCustomer => l["Waiting for customer"],
        TicketStatus.Resolved => l["Resolved"],
        _ => l["Closed"],
    };

    public static string Priority(IStringLocalizer<SharedResource> l, TicketPriority priority) => priority switch
    {
        TicketPriority.P1 => l["P1 · service down"],
        TicketPriority.P2 => l["P2 · major impact"],
        TicketPriority.P3 => l["P3 · minor impact"],
        _ => l["P4 · question"],
    };

    /// <summary>"12 min / 15 min" with hours where they matter.</summary>
    public static string Timer(TicketTimer timer) => $"{Duration(timer.Elapsed)} / {Duration(timer.Target)}";

    public static string Duration(TimeSpan span) =>
        span.TotalMinutes < 60 ? $"{Math.Max(0, (int)span.TotalMinutes)} min"
        : span.TotalHours < 48 ? $"{span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture)} h"
        : $"{span.TotalDays.ToString("0.#", CultureInfo.InvariantCulture)} d";
}
