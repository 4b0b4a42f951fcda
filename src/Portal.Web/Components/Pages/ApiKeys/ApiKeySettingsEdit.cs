using Portal.Core.Common;
using Portal.Core.Features.ApiKeys;

namespace Portal.Web.Components.Pages.ApiKeys;

/// <summary>The key settings form's state, shared by the create dialog and the key's edit dialog.</summary>
public sealed class ApiKeySettingsEdit
{
    public string Name { get; set; } = "";

    public DateTime? ExpiresOn { get; set; }

    public IReadOnlyCollection<string> AllowedModels { get; set; } = [];

    public string? AllowedIpRanges { get; set; }

    public int? RequestsPerMinute { get; set; }

    public string? MonthlyBudget { get; set; }

    public DateOnly? ExpiresOnDate => ExpiresOn is { } d ? DateOnly.FromDateTime(d) : null;

    public static ApiKeySettingsEdit From(ApiKeyRow key) => new()
    {
        Name = key.Name,
        ExpiresOn = key.LastDay?.ToDateTime(TimeOnly.MinValue),
        AllowedModels = key.AllowedModels.ToList(),
        AllowedIpRanges = string.Join("\n", key.AllowedIpRanges),
        RequestsPerMinute = key.RequestsPerMinute,
        MonthlyBudget = key.MonthlyBudget is { } budget ? ((decimal)budget.MicroYuan / Money.MicroPerYuan).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) : null,
    };
}
