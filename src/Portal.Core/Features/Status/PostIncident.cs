using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Localization;

namespace Portal.Core.Features.Status;

/// <summary>
/// An operator (PlatformAdmin) opens an incident (<see cref="Command.IncidentId"/> null) or posts the next entry of its
/// timeline: a new status and a message, which may also change the title, impact and affected models. Status
/// <see cref="IncidentStatus.Resolved"/> closes it. Audited.
/// </summary>
public static class PostIncident
{
    public sealed record Command(Guid? IncidentId, string Title, IncidentImpact Impact, IncidentStatus Status, IReadOnlyList<string> AffectedModels, string Message);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.Title).NotEmpty().WithMessage(l["Enter a title."]).MaximumLength(200).WithMessage(l["At most 200 characters."]);
            RuleFor(c => c.Message).NotEmpty().WithMessage(l["Describe what is happening."]).MaximumLength(4000).WithMessage(l["At most 4,000 characters."]);
            RuleForEach(c => c.AffectedModels).MaximumLength(100);
        }
    }

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, OperatorAccess access, AuditLog audit, TimeProvider clock, IValidator<Command> validator)
    {
        public async Task<Result<Incident>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var actor = await access.RequireAsync(db, cancellationToken, OperatorRoles.PlatformAdmin);
            if (!actor.IsSuccess) return actor.Error!;
            var now = clock.GetUtcNow();
            Incident? incident;
            if (command.IncidentId is { } id)
            {
                incident = await db.Set<Incident>().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
                if (incident is null) return Error.NotFound("Incident");
                if (incident.Status == IncidentStatus.Resolved) return new Error("Status.IncidentResolved", "This incident is resolved; open a new one.");
            }
            else
            {
                incident = new Incident { Id = Ids.New(), StartedAt = now };
                db.Add(incident);
            }

            incident.Title = command.Title.Trim();
            incident.Impact = command.Impact;
            incident.Status = command.Status;
            incident.AffectedModels = string.Join(',', command.AffectedModels.Select(m => m.Trim()).Where(m => m.Length > 0).Distinct(StringComparer.Ordinal));
            incident.UpdatedAt = now;
            if (command.Status == IncidentStatus.Resolved) incident.ResolvedAt = now;
            db.Add(new IncidentUpdate { Id = Ids.New(), IncidentId = incident.Id, Status = command.Status, Message = command.Message.Trim(), At = now, ByUserId = actor.Value });
            audit.Add(db, command.IncidentId is null ? "status.incident_opened" : "status.incident_updated", nameof(Incident), incident.Id,
                LocalizedText.Encode("{0} · {1} · {2}", incident.Title, LocalizedText.Term(command.Status), LocalizedText.Term(incident.Impact)), null);
            await db.SaveChangesAsync(cancellationToken);
            return incident;
        }
    }
}
