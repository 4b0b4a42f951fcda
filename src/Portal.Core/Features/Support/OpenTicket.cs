using System.Text.RegularExpressions;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Tenants;
using Portal.Core.Localization;

namespace Portal.Core.Features.Support;

/// <summary>
/// A member of the current tenant (any role but Viewer) opens a ticket: subject, category, priority, description,
/// optional relay request ids and attachments. Operators are emailed; audited.
/// </summary>
public static partial class OpenTicket
{
    public sealed record Command(string Subject, TicketCategory Category, TicketPriority Priority, string Description, string? RequestIds, IReadOnlyList<TicketFileInput> Files);

    /// <summary>The relay's request id: <c>req_</c> and 32 hexadecimal digits.</summary>
    [GeneratedRegex("^req_[0-9a-fA-F]{32}$")]
    private static partial Regex RequestIdPattern();

    public static IReadOnlyList<string> ParseRequestIds(string? text) =>
        (text ?? "").Split([',', ' ', '\n', '\r', '\t', '，'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();

    public static bool IsRequestId(string id) => RequestIdPattern().IsMatch(id);

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            RuleFor(c => c.Subject).Must(s => !string.IsNullOrWhiteSpace(s)).WithMessage(l["Enter a subject."])
                .Must(s => (s ?? "").Trim().Length <= 200).WithMessage(l["At most 200 characters."]);
            RuleFor(c => c.Description).Must(s => !string.IsNullOrWhiteSpace(s)).WithMessage(l["Describe the problem."])
                .Must(s => (s ?? "").Length <= 10_000).WithMessage(l["At most 10,000 characters."]);
            RuleFor(c => c.Category).IsInEnum();
            RuleFor(c => c.Priority).IsInEnum();
            RuleFor(c => c.RequestIds).Must(t => ParseRequestIds(t) is var ids && ids.Count <= 10 && ids.All(IsRequestId))
                .WithMessage(l["Request ids look like req_ followed by 32 characters (from the x-request-id header or the request log); at most 10."]);
        }
    }

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, IValidator<Command> validator, IFileStore store, TicketMail mail,
        ICurrentUser currentUser, AuditLog audit, TimeProvider clock)
    {
        public async Task<Result<SupportTicket>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, TenantRole.Owner, TenantRole.Admin, TenantRole.Developer, TenantRole.Finance);
            if (!member.IsSuccess) return member.Error!;
            var now = clock.GetUtcNow();
            var ticket = new SupportTicket
            {
                Id = Ids.New(),
                TenantId = member.Value!.TenantId,
                Subject = command.Subject.Trim(),
                Category = command.Category,
                Priority = command.Priority,
                Status = TicketStatus.Open,
                RequestIds = string.Join(',', ParseRequestIds(command.RequestIds)),
                CreatedByUserId = member.Value.UserId,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Add(ticket);
            var message = new TicketMessage
            {
                Id = Ids.New(),
                TenantId = ticket.TenantId,
                TicketId = ticket.Id,
                AuthorUserId = member.Value.UserId,
                AuthorName = currentUser.Name,
                Body = command.Description.Trim(),
                At = now,
            };
            db.Add(message);
            var (stored, error) = await TicketFiles.StoreAsync(db, store, ticket, message.Id, command.Files, now, cancellationToken);
            if (error is not null) return error;
            var tenantName = await db.Tenants.Where(t => t.Id == ticket.TenantId).Select(t => t.Name).SingleAsync(cancellationToken);
            await mail.ToOperatorsAsync(db, ticket, tenantName, isNew: true, cancellationToken);
            audit.Add(db, "support.ticket_opened", nameof(SupportTicket), ticket.Id, LocalizedText.Encode("{0} {1}: {2}", LocalizedText.Term(ticket.Priority), LocalizedText.Term(ticket.Category), ticket.Subject), ticket.TenantId);
            await TicketFiles.SaveAsync(db, store, stored, cancellationToken);

            return ticket;
        }
    }
}
