using System.Globalization;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Localization;

namespace Portal.Core.Features.Plans;

/// <summary>
/// An operator (PlatformAdmin) creates a plan or edits one. Price and credit changes apply to purchases and renewals
/// from then on; periods already paid keep what they were sold with. Audited with the old and new values.
/// </summary>
public static class SavePlan
{
    /// <param name="Id">Null to create.</param>
    /// <param name="Name">Shown in the catalogue, e.g. 基础套餐.</param>
    /// <param name="Description">What it is for, shown under the name.</param>
    /// <param name="Price">Paid from the wallet each month.</param>
    /// <param name="Credit">Plan credit granted each period (¥ of usage at list prices).</param>
    /// <param name="DisplayOrder">Ascending position in the catalogue.</param>
    public sealed record Command(Guid? Id, string Name, string Description, Money Price, Money Credit, int DisplayOrder);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.Name).Cascade(CascadeMode.Stop)
                .Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage(l["Enter a name."])
                .Must(n => n.Trim().Length <= 50).WithMessage(l["The name is too long (at most 50 characters)."]);
            RuleFor(c => c.Description).Must(d => (d ?? "").Trim().Length <= 500).WithMessage(l["The description is too long (at most 500 characters)."]);
            RuleFor(c => c.Price).Cascade(CascadeMode.Stop)
                .Must(p => p > Money.Zero && p.IsWholeFen).WithMessage(l["Enter a price above zero, in yuan with at most two decimals."])
                .Must(p => p <= Money.FromYuan(10_000_000)).WithMessage(l["The amount is too large."]);
            RuleFor(c => c.Credit).Cascade(CascadeMode.Stop)
                .Must(p => p > Money.Zero && p.IsWholeFen).WithMessage(l["Enter the included credit above zero, in yuan with at most two decimals."])
                .Must(p => p <= Money.FromYuan(100_000_000)).WithMessage(l["The amount is too large."]);
            RuleFor(c => c.DisplayOrder).InclusiveBetween(0, 10_000).WithMessage(l["Enter a display order between 0 and 10000."]);
        }
    }

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, OperatorAccess access, IValidator<Command> validator, AuditLog audit, TimeProvider clock)
    {
        public async Task<Result<Plan>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireAsync(db, cancellationToken, OperatorRoles.PlatformAdmin);
            if (!actor.IsSuccess) return actor.Error!;

            var now = clock.GetUtcNow();
            var name = command.Name.Trim();
            var description = (command.Description ?? "").Trim();
            Plan plan;
            if (command.Id is { } id)
            {
                var found = await db.Plans.FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
                if (found is null) return Error.NotFound("Plan");
                plan = found;
                var before = Describe(plan);
                plan.Name = name;
                plan.Description = description;
                plan.PriceMicroYuan = command.Price.MicroYuan;
                plan.CreditMicroYuan = command.Credit.MicroYuan;
                plan.DisplayOrder = command.DisplayOrder;
                plan.UpdatedAt = now;
                audit.Add(db, "plans.plan_updated", nameof(Plan), plan.Id, LocalizedText.Encode("{0} → {1}", before, Describe(plan)), null);
            }
            else
            {
                plan = new Plan
                {
                    Id = Ids.New(),
                    Name = name,
                    Description = description,
                    PriceMicroYuan = command.Price.MicroYuan,
                    CreditMicroYuan = command.Credit.MicroYuan,
                    Status = PlanStatus.Active,
                    DisplayOrder = command.DisplayOrder,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                db.Plans.Add(plan);
                audit.Add(db, "plans.plan_created", nameof(Plan), plan.Id, LocalizedText.Encode("{0}", Describe(plan)), null);
            }

            await db.SaveChangesAsync(cancellationToken);
            return plan;
        }

        internal static string Describe(Plan p) => LocalizedText.Encode("{0}: {1} / month, {2} credit, order {3}", p.Name, p.Price.ToDisplay(), p.Credit.ToDisplay(), p.DisplayOrder.ToString(CultureInfo.InvariantCulture));
    }
}
