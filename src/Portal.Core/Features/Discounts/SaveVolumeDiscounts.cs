using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Localization;

namespace Portal.Core.Features.Discounts;

/// <summary>
/// A PlatformAdmin replaces the volume discount tiers and sets whether plan-credit usage counts. Applies to the month
/// in progress (the rebate is computed at its end). Audited with the old and new rule.
/// </summary>
public static class SaveVolumeDiscounts
{
    /// <param name="MinimumSpend">Monthly spend from which the tier applies (≥).</param>
    /// <param name="RatePercent">Share of the month's spend paid back, e.g. 10 (9 折).</param>
    public sealed record Tier(Money MinimumSpend, decimal RatePercent);

    /// <param name="Tiers">The whole list (empty = no volume discounts).</param>
    /// <param name="PlanCreditCounts">Usage paid from plan credit counts toward the tiers and the rebate.</param>
    public sealed record Command(IReadOnlyList<Tier> Tiers, bool PlanCreditCounts);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.Tiers).Must(t => t.Count <= 10).WithMessage(l["At most 10 tiers."]);
            RuleForEach(c => c.Tiers).ChildRules(tier =>
            {
                tier.RuleFor(t => t.MinimumSpend).Must(m => m > Money.Zero && m.IsWholeFen && m <= Money.FromYuan(1_000_000_000))
                    .WithMessage(l["Enter a minimum monthly spend above zero, in yuan with at most two decimals."]);
                tier.RuleFor(t => t.RatePercent).Must(r => r > 0 && r <= 50 && decimal.Round(r, 2) == r)
                    .WithMessage(l["Enter a rebate between 0 and 50 %, with at most two decimals."]);
            }).OverridePropertyName("Tiers");
            RuleFor(c => c.Tiers).Must(t => t.Select(x => x.MinimumSpend).Distinct().Count() == t.Count)
                .WithMessage(l["Two tiers have the same minimum spend."]);
            RuleFor(c => c.Tiers).Must(t => t.OrderBy(x => x.MinimumSpend).Zip(t.OrderBy(x => x.MinimumSpend).Skip(1)).All(p => p.First.RatePercent < p.Second.RatePercent))
                .WithMessage(l["A higher minimum spend must give a higher rebate."]);
        }
    }

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, OperatorAccess access, ICurrentUser currentUser, IValidator<Command> validator, AuditLog audit, TimeProvider clock)
    {
        public async Task<Result<IReadOnlyList<VolumeDiscountTier>>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireAsync(db, cancellationToken, OperatorRoles.PlatformAdmin);
            if (!actor.IsSuccess) return actor.Error!;

            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var old = await db.Set<VolumeDiscountTier>().ToListAsync(cancellationToken);
            var settings = await db.Set<VolumeDiscountSettings>().FirstOrDefaultAsync(cancellationToken);
            var before = Describe(old, settings?.PlanCreditCounts ?? false);
            db.RemoveRange(old);
            // The unique minimum index would see old and new rows together inside one SaveChanges; delete first.
            await db.SaveChangesAsync(cancellationToken);
            var tiers = command.Tiers.OrderBy(t => t.MinimumSpend)
                .Select(t => new VolumeDiscountTier { Id = Ids.New(), MinimumSpendMicroYuan = t.MinimumSpend.MicroYuan, RateBasisPoints = (int)(t.RatePercent * 100) })
                .ToList();
            db.AddRange(tiers);
            if (settings is null)
            {
                settings = new VolumeDiscountSettings();
                db.Add(settings);
            }

            settings.PlanCreditCounts = command.PlanCreditCounts;
            settings.UpdatedAt = clock.GetUtcNow();
            settings.UpdatedBy = currentUser.Name;
            audit.Add(db, "discounts.saved", nameof(VolumeDiscountTier), VolumeDiscountSettings.SingletonId, LocalizedText.Encode("{0} → {1}", before, Describe(tiers, command.PlanCreditCounts)), null);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                // NOTE: another operator saved at the same moment (the settings row or a tier minimum collided).
                return new Error("Discounts.Conflict", "Another operator changed the volume discounts at the same time. Reload and try again.");
            }

            return tiers;
        }

        private static string Describe(IEnumerable<VolumeDiscountTier> tiers, bool planCreditCounts) =>
            LocalizedText.Encode(planCreditCounts ? "{0} (plan credit counts)" : "{0} (plan credit does not count)",
                string.Join(", ", tiers.OrderBy(t => t.MinimumSpendMicroYuan).Select(t => $"≥ {t.MinimumSpend.ToDisplay()} → {t.PercentText} %")) is { Length: > 0 } list ? list : LocalizedText.Term("no tiers"));
    }
}
