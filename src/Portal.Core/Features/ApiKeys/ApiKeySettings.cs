using System.Globalization;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Tenants;
using Portal.Core.Localization;

namespace Portal.Core.Features.ApiKeys;

/// <summary>What a tenant sets on a key, shared by <see cref="CreateApiKey"/> and <see cref="UpdateApiKey"/>.</summary>
public interface IApiKeySettings
{
    string Name { get; }

    /// <summary>Last day the key works (Asia/Shanghai, inclusive); null = no expiry.</summary>
    DateOnly? ExpiresOn { get; }

    /// <summary>Public model ids; empty = every enabled model.</summary>
    IReadOnlyList<string> AllowedModels { get; }

    /// <summary>IPv4 / IPv6 addresses and CIDR blocks separated by commas, spaces or lines; blank = anywhere.</summary>
    string? AllowedIpRanges { get; }

    /// <summary>Null = no per-key limit.</summary>
    int? RequestsPerMinute { get; }

    /// <summary>Yuan per calendar month (Asia/Shanghai) as typed; blank = no budget.</summary>
    string? MonthlyBudget { get; }
}

public sealed class ApiKeySettingsValidator : AbstractValidator<IApiKeySettings>
{
    public const int MaxIpRanges = 100;
    public const int MaxModels = 200;

    public ApiKeySettingsValidator(IStringLocalizer<SharedResource> l, IApiKeyRules rules)
    {
        RuleFor(k => k.Name).Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage(l["Enter a name, e.g. the application or server that will use the key."])
            .MaximumLength(100).WithMessage(l["The name is too long (at most 100 characters)."]);
        RuleFor(k => k.AllowedModels).Must(m => m.Count <= MaxModels).WithMessage(l["Too many models selected."]);
        RuleFor(k => k.AllowedIpRanges).Custom((text, context) =>
        {
            var entries = ApiKeySettingsRules.SplitIpRanges(text);
            if (entries.Count > MaxIpRanges)
            {
                context.AddFailure(string.Format(l["At most {0} addresses or blocks."], MaxIpRanges));
                return;
            }

            var invalid = entries.Where(e => !rules.NormalizeIpRange(e).IsSuccess).ToList();
            if (invalid.Count > 0)
                context.AddFailure(string.Format(l["Not an IPv4 or IPv6 address or CIDR block: {0}. Write e.g. 203.0.113.7, 203.0.113.0/24 or 2001:db8::/32 (no host bits past the prefix)."], string.Join(", ", invalid)));
        });
        RuleFor(k => k.RequestsPerMinute).InclusiveBetween(1, 1_000_000).When(k => k.RequestsPerMinute is not null)
            .WithMessage(l["The rate limit must be at least 1 request per minute (leave it empty for no limit)."]);
        RuleFor(k => k.MonthlyBudget).Must(b => string.IsNullOrWhiteSpace(b) || ApiKeySettingsRules.TryParseBudget(b, out _))
            .WithMessage(l["Enter a budget in yuan, zero or more, with at most two decimals (leave it empty for no budget)."]);
    }
}

public static class ApiKeySettingsRules
{
    /// <summary>Owners, Admins and Developers manage keys; Finance and Viewers do not see them.</summary>
    public static readonly TenantRole[] ManagingRoles = [TenantRole.Owner, TenantRole.Admin, TenantRole.Developer];

    public static IReadOnlyList<string> SplitIpRanges(string? text) =>
        (text ?? "").Split([',', ';', ' ', '\t', '\r', '\n', '，', '；'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static bool TryParseBudget(string? text, out Money budget) =>
        Money.TryParseYuan(text, out budget) && budget >= Money.Zero && budget.IsWholeFen && budget.MicroYuan < 1_000_000_000L * Money.MicroPerYuan;

    /// <summary>The instant a key valid through <paramref name="lastDay"/> (Beijing date) stops working: the next midnight in Asia/Shanghai.</summary>
    public static DateTimeOffset ExpiryInstant(DateOnly lastDay) =>
        new DateTimeOffset(lastDay.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8)).ToUniversalTime();

    /// <summary>The last Beijing date on which a key expiring at <paramref name="expiresAt"/> still works.</summary>
    public static DateOnly LastDay(DateTimeOffset expiresAt) => DateOnly.FromDateTime(ChinaTime.ToChina(expiresAt.AddTicks(-1)).DateTime);

    /// <summary>The key-spend month (yyyyMM, Asia/Shanghai) of an instant, as <see cref="ApiKeySpend.Month"/> stores it.</summary>
    public static int MonthOf(DateTimeOffset instant)
    {
        var china = ChinaTime.ToChina(instant);
        return (china.Year * 100) + china.Month;
    }

    internal static List<string> NormalizeIpRanges(IApiKeyRules rules, string? text) =>
        SplitIpRanges(text).Select(e => rules.NormalizeIpRange(e).Value!).Distinct(StringComparer.Ordinal).ToList();

    internal static long? BudgetMicroYuan(string? text) => TryParseBudget(text, out var budget) && !string.IsNullOrWhiteSpace(text) ? budget.MicroYuan : null;

    internal static List<string> Models(IApiKeySettings settings) =>
        settings.AllowedModels.Select(m => m.Trim()).Where(m => m.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>A validation error naming the allowed models that are not in the catalog, or null.</summary>
    internal static async Task<ValidationError?> CheckModelsExistAsync(PortalDbContext db, IReadOnlyList<string> models, IStringLocalizer<SharedResource> l, CancellationToken cancellationToken)
    {
        if (models.Count == 0) return null;
        var known = await db.AiModels.Where(m => models.Contains(m.PublicId)).Select(m => m.PublicId).ToListAsync(cancellationToken);
        var unknown = models.Except(known, StringComparer.Ordinal).ToList();
        return unknown.Count == 0 ? null
            : new ValidationError(new Dictionary<string, string[]> { ["AllowedModels"] = [string.Format(l["Unknown models: {0}."], string.Join(", ", unknown))] });
    }

    /// <summary>A one-line description of a key's limits for the audit log.</summary>
    internal static string Describe(ApiKey key) =>
        LocalizedText.Encode("{0} ({1}): expires {2}, models {3}, IPs {4}, rpm {5}, budget {6}/month", key.Name, key.Prefix,
            key.ExpiresAt is null ? LocalizedText.Term("No expiry") : ChinaTime.Format(key.ExpiresAt.Value),
            key.AllowedModels.Count == 0 ? LocalizedText.Term("All") : string.Join(" ", key.AllowedModels),
            key.AllowedIpRanges.Count == 0 ? LocalizedText.Term("any") : string.Join(" ", key.AllowedIpRanges),
            key.RequestsPerMinute?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? LocalizedText.Term("none"),
            key.MonthlyBudgetMicroYuan is null ? LocalizedText.Term("none") : new Money(key.MonthlyBudgetMicroYuan.Value).ToDisplay());
}

public static class ApiKeyErrors
{
    public static readonly Error NotFound = Error.NotFound("API key");
    public static readonly Error Revoked = new("ApiKeys.Revoked", "This key was revoked. A revoked key cannot be changed or used again; create a new one.");
    public static readonly Error NotActive = new("ApiKeys.NotActive", "Only an active key can be disabled.");
    public static readonly Error NotDisabled = new("ApiKeys.NotDisabled", "Only a disabled key can be enabled.");
    public static readonly Error RolesOnly = Error.Forbidden("Only Owners, Admins and Developers can manage API keys.");
}
