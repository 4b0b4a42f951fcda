using Microsoft.Extensions.Localization;
using Portal.Core.Features.Status;
using Portal.Core.Localization;

namespace Portal.Web.Components.Pages.Status;

/// <summary>Localized names of incident statuses and impacts, shared by the public page and the operator page.</summary>
public static class IncidentLabels
{
    public static string Status(IStringLocalizer<SharedResource> l, IncidentStatus status) => status switch
    {
        IncidentStatus.Investigating => l["Investigating"],
        IncidentStatus.Identified => l["Identified"],
        IncidentStatus.Monitoring => l["Monitoring"],
        _ => l["Resolved"],
    };

    public static string Impact(IStringLocalizer<SharedResource> l, IncidentImpact impact) => impact switch
    {
        IncidentImpact.Degraded => l["Degraded performance"],
        IncidentImpact.PartialOutage => l["Partial outage"],
        _ => l["Major outage"],
    };
}
