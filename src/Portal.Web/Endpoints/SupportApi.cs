using Portal.Core.Features.Kyc;
using Portal.Core.Features.Support;
using Portal.Web.Hosting;

namespace Portal.Web.Endpoints;

/// <summary>
/// Support tickets over JSON for the current tenant, and attachment downloads (the tenant's own, or any for operators).
/// Another tenant's ticket or file is 404.
/// </summary>
public static class SupportApi
{
    public sealed record MessageJson(Guid Id, bool FromOperator, string Author, string Body, DateTimeOffset At);

    public sealed record AttachmentJson(Guid Id, Guid MessageId, string FileName, string Type, long Length);

    public sealed record TicketJson(Guid Id, string Subject, string Category, string Priority, string Status, IReadOnlyList<string> RequestIds, DateTimeOffset CreatedAt,
        DateTimeOffset? FirstResponseAt, DateTimeOffset? ResolvedAt, DateTimeOffset? ClosedAt, IReadOnlyList<MessageJson> Messages, IReadOnlyList<AttachmentJson> Attachments);

    public static WebApplication MapSupportApi(this WebApplication app)
    {
        var tenant = app.MapGroup("/api/tenant/support").RequireAuthorization(Policies.TenantMember);
        tenant.MapGet("/tickets/{id:guid}", async (Guid id, SupportQueries q, CancellationToken ct) =>
            (await q.GetMineAsync(id, ct)).ToHttp(d => Results.Ok(Json(d)))).WithName("GetSupportTicket").WithSummary("One of the current tenant's support tickets with its thread");
        tenant.MapGet("/tickets/{id:guid}/attachments/{attachmentId:guid}", async (Guid id, Guid attachmentId, SupportQueries q, CancellationToken ct) =>
            File(await q.OpenMyAttachmentAsync(id, attachmentId, ct))).WithName("GetSupportAttachment").WithSummary("Download an attachment of the current tenant's ticket");

        app.MapGet("/api/admin/support/tickets/{id:guid}/attachments/{attachmentId:guid}", async (Guid id, Guid attachmentId, SupportQueries q, CancellationToken ct) =>
                File(await q.OpenAttachmentForOperatorAsync(id, attachmentId, ct)))
            .RequireAuthorization(Policies.Operator).WithName("GetSupportAttachmentForOperator").WithSummary("Download a ticket attachment (operators)");
        return app;
    }

    private static IResult File(TicketFile? file) =>
        file is null ? Results.NotFound() : Results.File(file.Content, file.Type.ContentType(), file.FileName.Length > 0 ? file.FileName : "attachment" + file.Type.FileExtension());

    private static TicketJson Json(TicketDetail d)
    {
        var t = d.Row.Ticket;
        return new TicketJson(t.Id, t.Subject, t.Category.ToString(), t.Priority.ToString(), t.Status.ToString(), t.RequestIdList, t.CreatedAt, t.FirstResponseAt, t.ResolvedAt, t.ClosedAt,
            d.Messages.Select(m => new MessageJson(m.Id, m.FromOperator, m.FromOperator ? "Support" : m.AuthorName, m.Body, m.At)).ToList(),
            d.Attachments.Select(a => new AttachmentJson(a.Id, a.MessageId, a.FileName, a.Type.ToString(), a.Length)).ToList());
    }
}
