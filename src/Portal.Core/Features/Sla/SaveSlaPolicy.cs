using System.Globalization;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Localization;

namespace Portal.Core.Features.Sla;

/// <summary>
/// A PlatformAdmin sets the SLA of pay-as-you-go (<c>PlanId</c> null) or of one plan, or removes it. Applies to the
/// next monthly run (a month already credited keeps the terms it was computed with). Audited with old and new terms.
/// </summary>
public static class SaveSlaPolicy
{
    /// <param name="PlanId">The plan, or null for pay-as-you-go.</param>
    /// <param name="TargetPercent">Monthly availability promised, e.g. 99.9 (at most three decimals).</param>
    /// <param name="CompensationPercent">Per hour down, this percentage of the day's service fees (200 = twice).</param>
    /// <param name="MaxCreditPercent">Cap, as a percentage of the month's fees on the model (100 = all of them).</param>
    /// <param name="Remove">Remove the scope's policy instead (the other fields are ignored).</param>
    public sealed record Command(Guid? PlanId, decimal TargetPercent, int CompensationPercent, int MaxCreditPercent, bool Remove = false);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            When(c => !c.Remove, () =>
            {
                RuleFor(c => c.TargetPercent).Must(t => t > 0 && t <= 100 && decimal.Round(t, 4) == t)
                    .WithMessage(l["Enter a target between 0 and 100 %, with at most four decimals."]);
                RuleFor(c => c.CompensationPercent).InclusiveBetween(1, 10_000).WithMessage(l["Enter a compensation between 1 and 10000 % of the day's fees per hour."]);
                RuleFor(c => c.MaxCreditPercent).InclusiveBetween(1, 1_000).WithMessage(l["Enter a cap between 1 and 1000 % of the month's fees."]);
            });
        }
    }

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, OperatorAccess access, ICurrentUser currentUser, IValidator<Command> validator, AuditLog audit, TimeProvider clock)
    {
        public async Task<Result<SlaPolicy?>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireAsync(db, cancellationToken, OperatorRoles.PlatformAdmin);
            if (!actor.IsSuccess) return actor.Error!;
            if (command.PlanId is { } planId && !await db.Plans.AnyAsync(p => p.Id == planId, cancellationToken)) return Error.NotFound("Plan");

            var scope = SlaPolicy.ScopeOf(command.PlanId);
            var policy = await db.Set<SlaPolicy>().FirstOrDefaultAsync(p => p.Scope == scope, cancellationToken);
            if (command.Remove)
            {
                if (policy is null) return Error.NotFound("SlaPolicy");
                db.Remove(policy);
                audit.Add(db, "sla.policy_removed", nameof(SlaPolicy), policy.Id, LocalizedText.Encode("{0}: {1}", scope, Describe(policy)), null);
                await db.SaveChangesAsync(cancellationToken);
                return (SlaPolicy?)null;
            }

            var before = policy is null ? LocalizedText.Term("none") : Describe(policy);
            if (policy is null)
            {
                policy = new SlaPolicy { Id = Ids.New(), Scope = scope, PlanId = command.PlanId };
                db.Add(policy);
            }

            policy.TargetPpm = (int)(command.TargetPercent * 10_000);
            policy.CompensationPercent = command.CompensationPercent;
            policy.MaxCreditPercent = command.MaxCreditPercent;
            policy.UpdatedAt = clock.GetUtcNow();
            policy.UpdatedBy = currentUser.Name;
            audit.Add(db, "sla.policy_saved", nameof(SlaPolicy), policy.Id, LocalizedText.Encode("{0}: {1} → {2}", scope, before, Describe(policy)), null);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                // NOTE: two operators created the same scope's policy at once; the unique scope index kept one.
                return new Error("Sla.Conflict", "Another operator changed this SLA at the same time. Reload and try again.");
            }

            return policy;
        }

        internal static string Describe(SlaPolicy p) =>
            LocalizedText.Encode("target {0}, {1} % of the day's fees per hour down, at most {2} % of the month's fees", SlaCredits.TargetText(p.TargetPpm), p.CompensationPercent.ToString(CultureInfo.InvariantCulture), p.MaxCreditPercent.ToString(CultureInfo.InvariantCulture));
    }
}
