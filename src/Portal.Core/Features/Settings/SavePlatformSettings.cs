using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Localization;

namespace Portal.Core.Features.Settings;

/// <summary>
/// An operator changes the platform's settings. Each value that differs from the one in effect is stored as an
/// override of its configuration key and takes effect at once (in other replicas within half a minute); no restart.
/// PlatformAdmin; audited with the keys changed, old and new values.
/// </summary>
public static partial class SavePlatformSettings
{
    public sealed record Command(PlatformSettingsValues Values);

    public sealed partial class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.Values.PlatformName).NotEmpty().WithMessage(l["Enter the platform's name."]).MaximumLength(60).WithMessage(l["At most {0} characters.", 60]).OverridePropertyName(nameof(PlatformSettingsValues.PlatformName));
            RuleFor(c => c.Values.LogoUrl).Must(BrandingOptions.IsAcceptableLogo)
                .WithMessage(string.Format(l["The logo must be a PNG, JPEG or WebP image of at most {0} KB, or a path on this site."], BrandingOptions.MaxLogoBytes / 1024))
                .OverridePropertyName(nameof(PlatformSettingsValues.LogoUrl));
            RuleFor(c => c.Values).Must(v => AllOrNone(v.BankAccountName, v.BankName, v.BankBranch, v.BankAccountNumber))
                .WithMessage(l["Fill in all four fields of the receiving account, or none (bank transfers off)."]).OverridePropertyName(nameof(PlatformSettingsValues.BankAccountName));
            Length(c => c.Values.BankAccountName, 200, nameof(PlatformSettingsValues.BankAccountName), l);
            Length(c => c.Values.BankName, 200, nameof(PlatformSettingsValues.BankName), l);
            Length(c => c.Values.BankBranch, 200, nameof(PlatformSettingsValues.BankBranch), l);
            Length(c => c.Values.BankAccountNumber, 64, nameof(PlatformSettingsValues.BankAccountNumber), l);
            Yuan(c => c.Values.TransferMinimumYuan, nameof(PlatformSettingsValues.TransferMinimumYuan), l);
            Yuan(c => c.Values.TransferMaximumYuan, nameof(PlatformSettingsValues.TransferMaximumYuan), l);
            RuleFor(c => c.Values).Must(v => v.TransferMinimumYuan <= v.TransferMaximumYuan)
                .WithMessage(l["The minimum must not exceed the maximum."]).OverridePropertyName(nameof(PlatformSettingsValues.TransferMaximumYuan));
            RuleFor(c => c.Values.TransferValidityDays).InclusiveBetween(1, 365).WithMessage(string.Format(l["Enter a number from {0} to {1}."], 1, 365))
                .OverridePropertyName(nameof(PlatformSettingsValues.TransferValidityDays));
            RuleFor(c => c.Values).Must(v => AllOrNone(v.SellerName, v.SellerTaxpayerId, v.SellerAddress, v.SellerPhone, v.SellerBank, v.SellerAccount))
                .WithMessage(l["Fill in all six fields of the seller, or none (invoicing off)."]).OverridePropertyName(nameof(PlatformSettingsValues.SellerName));
            Length(c => c.Values.SellerName, 200, nameof(PlatformSettingsValues.SellerName), l);
            RuleFor(c => c.Values.SellerTaxpayerId).Must(id => string.IsNullOrWhiteSpace(id) || TaxpayerId().IsMatch(id.Trim()))
                .WithMessage(l["A taxpayer ID (统一社会信用代码) has 15 to 20 digits and capital letters."]).OverridePropertyName(nameof(PlatformSettingsValues.SellerTaxpayerId));
            Length(c => c.Values.SellerAddress, 200, nameof(PlatformSettingsValues.SellerAddress), l);
            Length(c => c.Values.SellerPhone, 40, nameof(PlatformSettingsValues.SellerPhone), l);
            Length(c => c.Values.SellerBank, 100, nameof(PlatformSettingsValues.SellerBank), l);
            Length(c => c.Values.SellerAccount, 40, nameof(PlatformSettingsValues.SellerAccount), l);
            RuleFor(c => c.Values.TaxRate).Must(r => r is >= 0 and < 1 && r * 10_000 == decimal.Truncate(r * 10_000))
                .WithMessage(l["Enter the rate as a fraction with at most four decimals (0.06 = 6 %)."]).OverridePropertyName(nameof(PlatformSettingsValues.TaxRate));
            Yuan(c => c.Values.TopUpMinimumYuan, nameof(PlatformSettingsValues.TopUpMinimumYuan), l);
            Yuan(c => c.Values.TopUpMaximumYuan, nameof(PlatformSettingsValues.TopUpMaximumYuan), l);
            RuleFor(c => c.Values).Must(v => v.TopUpMinimumYuan <= v.TopUpMaximumYuan)
                .WithMessage(l["The minimum must not exceed the maximum."]).OverridePropertyName(nameof(PlatformSettingsValues.TopUpMaximumYuan));
        }

        private void Length(System.Linq.Expressions.Expression<Func<Command, string>> field, int max, string name, IStringLocalizer l) =>
            RuleFor(field).MaximumLength(max).WithMessage(string.Format(l["At most {0} characters."], max)).OverridePropertyName(name);

        private void Yuan(System.Linq.Expressions.Expression<Func<Command, long>> field, string name, IStringLocalizer l) =>
            RuleFor(field).InclusiveBetween(1, 1_000_000_000).WithMessage(string.Format(l["Enter a number from {0} to {1}."], 1, 1_000_000_000)).OverridePropertyName(name);

        private static bool AllOrNone(params string[] fields) =>
            fields.All(f => !string.IsNullOrWhiteSpace(f)) || fields.All(string.IsNullOrWhiteSpace);

        [System.Text.RegularExpressions.GeneratedRegex("^[0-9A-Z]{15,20}$")]
        private static partial System.Text.RegularExpressions.Regex TaxpayerId();
    }

    /// <summary>The keys that changed (with their old and new values), or an empty list when nothing changed.</summary>
    public sealed record Saved(IReadOnlyList<string> ChangedKeys);

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        OperatorAccess access,
        IValidator<Command> validator,
        PlatformSettingsQueries settings,
        PlatformSettingsStore store,
        AuditLog audit,
        TimeProvider clock)
    {
        public async Task<Result<Saved>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireAsync(db, cancellationToken, OperatorRoles.PlatformAdmin);
            if (!actor.IsSuccess) return actor.Error!;
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;

            // NOTE: compared with the values this process holds; another replica's save of the same key in the last
            // half minute is overwritten (last write wins, both audited). Two first saves of one key race on its
            // primary key; the loser gets a conflict and saves again.
            await store.ReloadAsync(cancellationToken);
            var before = settings.Current().Keys();
            var changed = command.Values.Keys().Where(kv => before[kv.Key] != kv.Value).ToList();
            if (changed.Count == 0) return new Saved([]);

            var now = clock.GetUtcNow();
            var keys = changed.Select(c => c.Key).ToList();
            var rows = await db.PlatformSettings.Where(s => keys.Contains(s.Key)).ToDictionaryAsync(s => s.Key, cancellationToken);
            foreach (var (key, value) in changed)
            {
                if (!rows.TryGetValue(key, out var row)) db.PlatformSettings.Add(row = new PlatformSetting { Key = key });
                row.Value = value;
                row.UpdatedAt = now;
                row.UpdatedByUserId = actor.Value;
            }
            var details = string.Join("; ", changed.Select(c => $"{c.Key}: {Shown(c.Key, before[c.Key])} → {Shown(c.Key, c.Value)}"));
            audit.Add(db, "platform.settings_changed", nameof(PlatformSetting), "platform", LocalizedText.Encode("Platform settings changed: {0}", details), null);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                return new Error("Settings.Conflict", "Another operator saved the settings at the same time; reload and save again.");
            }
            await store.ReloadAsync(cancellationToken);
            return new Saved(keys);
        }

        /// <summary>Logos are images; the audit keeps only their size.</summary>
        private static string Shown(string key, string value) =>
            key.EndsWith(":" + nameof(BrandingOptions.LogoUrl), StringComparison.Ordinal) && value.StartsWith("data:", StringComparison.Ordinal)
                ? $"({value.Length} B)"
                : value.Length == 0 ? "∅" : value;
    }
}
