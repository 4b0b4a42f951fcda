using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Features.Support;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Service;

public abstract class SupportTicketTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 1, 2, 3, 4];

    private async Task<Result<SupportTicket>> OpenAsync(PortalClient who, TicketPriority priority, string? requestIds = null, params (string Name, byte[] Bytes)[] files)
    {
        await using var scope = await factory.MemberScopeAsync(who);
        return await scope.ServiceProvider.GetRequiredService<OpenTicket.Handler>().HandleAsync(new OpenTicket.Command(
            $"{priority} 接口报错", TicketCategory.ApiError, priority, "调用 /v1/chat/completions 返回 502", requestIds,
            files.Select(f => new TicketFileInput(f.Name, new MemoryStream(f.Bytes))).ToList()));
    }

    private async Task<Result<SupportTicket>> AnswerAsync(Guid ticketId, TicketStatus status, string body = "您好，我们正在处理。")
    {
        await using var scope = await factory.OperatorScopeAsync();
        return await scope.ServiceProvider.GetRequiredService<AnswerTicket.Handler>().HandleAsync(new AnswerTicket.Command(ticketId, body, status));
    }

    private async Task<Result<SupportTicket>> ReplyAsync(PortalClient who, Guid ticketId, string body = "补充信息")
    {
        await using var scope = await factory.MemberScopeAsync(who);
        return await scope.ServiceProvider.GetRequiredService<ReplyToTicket.Handler>().HandleAsync(new ReplyToTicket.Command(ticketId, body, []));
    }

    private async Task<TicketRow> QueueRowAsync(Guid ticketId)
    {
        await using var scope = factory.Scope();
        return (await scope.ServiceProvider.GetRequiredService<SupportQueries>().ListQueueAsync(includeClosed: true)).Single(r => r.Ticket.Id == ticketId);
    }

    [Theory]
    [InlineData(TicketPriority.P1, 15, 4 * 60)]
    [InlineData(TicketPriority.P2, 60, 12 * 60)]
    [InlineData(TicketPriority.P3, 4 * 60, 24 * 60)]
    [InlineData(TicketPriority.P4, 24 * 60, 72 * 60)]
    public async Task Timers_run_against_the_priority_targets_and_waiting_for_the_customer_pauses_resolution(TicketPriority priority, int firstResponseMinutes, int resolutionMinutes)
    {
        var (owner, _) = await factory.VerifiedTenantAsync($"工单计时{priority}科技有限公司");
        var ticket = (await OpenAsync(owner, priority)).Value!;

        factory.Clock.Advance(TimeSpan.FromMinutes(firstResponseMinutes) - TimeSpan.FromSeconds(1));
        var row = await QueueRowAsync(ticket.Id);
        Assert.Equal((false, false, TimeSpan.FromMinutes(firstResponseMinutes)), (row.FirstResponse.Breached, row.FirstResponse.Stopped, row.FirstResponse.Target));
        factory.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True((await QueueRowAsync(ticket.Id)).FirstResponse.Breached);

        // Answered late: the first-response timer stops where it was, still breached.
        Assert.True((await AnswerAsync(ticket.Id, TicketStatus.WaitingForCustomer)).IsSuccess);
        factory.Clock.Advance(TimeSpan.FromDays(10));
        row = await QueueRowAsync(ticket.Id);
        Assert.Equal((true, true, TimeSpan.FromMinutes(firstResponseMinutes) + TimeSpan.FromSeconds(1)), (row.FirstResponse.Stopped, row.FirstResponse.Breached, row.FirstResponse.Elapsed));
        // Ten days waiting for the customer do not count against resolution (stored instants lose sub-millisecond digits).
        AssertAbout(TimeSpan.FromMinutes(firstResponseMinutes) + TimeSpan.FromSeconds(1), row.Resolution.Elapsed);

        Assert.True((await ReplyAsync(owner, ticket.Id)).IsSuccess);
        Assert.Equal(TicketStatus.Open, (await QueueRowAsync(ticket.Id)).Ticket.Status);
        var left = TimeSpan.FromMinutes(resolutionMinutes) - TimeSpan.FromMinutes(firstResponseMinutes) - TimeSpan.FromSeconds(1);
        factory.Clock.Advance(left - TimeSpan.FromSeconds(1));
        Assert.False((await QueueRowAsync(ticket.Id)).Resolution.Breached);
        factory.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True((await QueueRowAsync(ticket.Id)).Resolution.Breached);
        Assert.True((await AnswerAsync(ticket.Id, TicketStatus.Resolved, "已解决")).IsSuccess);
        row = await QueueRowAsync(ticket.Id);
        Assert.True(row.Resolution.Stopped);
        AssertAbout(TimeSpan.FromMinutes(resolutionMinutes) + TimeSpan.FromSeconds(1), row.Resolution.Elapsed);
    }

    private static void AssertAbout(TimeSpan expected, TimeSpan actual) =>
        Assert.InRange(actual, expected - TimeSpan.FromMilliseconds(1), expected + TimeSpan.FromMilliseconds(1));

    [Fact]
    public async Task Operator_dashboard_counts_running_tickets_over_their_targets()
    {
        var (owner, _) = await factory.VerifiedTenantAsync("工单看板科技有限公司");
        await using var scope = factory.Scope();
        var queries = scope.ServiceProvider.GetRequiredService<SupportQueries>();
        var before = await queries.BreachesAsync();
        var p1 = (await OpenAsync(owner, TicketPriority.P1)).Value!;
        await OpenAsync(owner, TicketPriority.P4);
        factory.Clock.Advance(TimeSpan.FromMinutes(16));
        var after = await queries.BreachesAsync();
        Assert.Equal((before.OpenTickets + 2, before.FirstResponseBreaches + 1), (after.OpenTickets, after.FirstResponseBreaches));
        Assert.True((await AnswerAsync(p1.Id, TicketStatus.Resolved)).IsSuccess);
        Assert.Equal(before.OpenTickets + 1, (await queries.BreachesAsync()).OpenTickets);
    }

    [Fact]
    public async Task A_thread_goes_both_ways_with_emails_and_another_tenants_ticket_is_404()
    {
        var (owner, tenantId) = await factory.VerifiedTenantAsync("工单对话科技有限公司");
        var requestId = "req_" + Guid.CreateVersion7().ToString("N");
        var toOperators = await factory.EmailsAsync(PortalFactory.AdminEmail, "support.to_operators");
        var ticket = (await OpenAsync(owner, TicketPriority.P2, requestId, ("screenshot.png", Png))).Value!;
        Assert.Equal(toOperators + 1, await factory.EmailsAsync(PortalFactory.AdminEmail, "support.to_operators"));

        Assert.True((await AnswerAsync(ticket.Id, TicketStatus.WaitingForCustomer, "请提供调用时间")).IsSuccess);
        Assert.Equal(1, await factory.EmailsAsync(owner.Email, "support.to_customer"));

        var json = JsonDocument.Parse(await owner.Http.GetStringAsync($"/api/tenant/support/tickets/{ticket.Id}")).RootElement;
        Assert.Equal("WaitingForCustomer", json.GetProperty("status").GetString());
        Assert.Equal([requestId], json.GetProperty("requestIds").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal([false, true], json.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("fromOperator").GetBoolean()).ToArray());
        var attachment = Assert.Single(json.GetProperty("attachments").EnumerateArray());
        var file = await owner.Http.GetAsync($"/api/tenant/support/tickets/{ticket.Id}/attachments/{attachment.GetProperty("id").GetGuid()}");
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("image/png", file.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Png, await file.Content.ReadAsByteArrayAsync());

        // Another tenant: the ticket, its file and a reply are all "not found".
        var (stranger, _) = await factory.VerifiedTenantAsync("别家科技有限公司");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.GetAsync($"/api/tenant/support/tickets/{ticket.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.GetAsync($"/api/tenant/support/tickets/{ticket.Id}/attachments/{attachment.GetProperty("id").GetGuid()}")).StatusCode);
        Assert.Equal("Ticket.NotFound", (await ReplyAsync(stranger, ticket.Id)).Error?.Code);

        // A Viewer reads but cannot write.
        var viewer = await factory.InviteMemberAsync(owner, "Viewer");
        Assert.Equal("Auth.Forbidden", (await OpenAsync(viewer, TicketPriority.P3)).Error?.Code);
        Assert.Equal("Auth.Forbidden", (await ReplyAsync(viewer, ticket.Id)).Error?.Code);
        Assert.Equal(HttpStatusCode.OK, (await viewer.Http.GetAsync($"/api/tenant/support/tickets/{ticket.Id}")).StatusCode);

        await using var db = await factory.DbAsync();
        Assert.Equal(["support.ticket_answered", "support.ticket_opened"],
            (await db.AuditEntries.IgnoreQueryFilters().Where(a => a.TargetId == ticket.Id.ToString()).Select(a => a.Action).ToListAsync()).Order().ToArray());
        Assert.True(await db.AuditEntries.IgnoreQueryFilters().AnyAsync(a => a.TenantId == tenantId && a.Action == "support.ticket_opened"));
    }

    [Fact]
    public async Task Attachments_are_typed_by_content_like_kyc_documents_and_a_refused_file_keeps_nothing()
    {
        var (owner, _) = await factory.VerifiedTenantAsync("工单附件科技有限公司");
        var filesBefore = Directory.Exists(factory.StoragePath) ? Directory.GetFiles(factory.StoragePath, "*", SearchOption.AllDirectories).Length : 0;
        // An executable renamed .png, after a good PDF in the same submission.
        var refused = await OpenAsync(owner, TicketPriority.P3, null, ("ok.pdf", "%PDF-1.7\n%%EOF"u8.ToArray()), ("photo.png", "MZ\x90\0\x03\0\0\0\x04\0"u8.ToArray()));
        Assert.Equal("Kyc.Document.UnsupportedType", refused.Error?.Code);
        Assert.Equal("Kyc.Document.Empty", (await OpenAsync(owner, TicketPriority.P3, null, ("empty.jpg", []))).Error?.Code);
        Assert.Equal("Kyc.Document.TooLarge", (await OpenAsync(owner, TicketPriority.P3, null, ("big.pdf", [.. "%PDF-"u8, .. new byte[10 * 1024 * 1024]]))).Error?.Code);
        var filesAfter = Directory.Exists(factory.StoragePath) ? Directory.GetFiles(factory.StoragePath, "*", SearchOption.AllDirectories).Length : 0;
        Assert.Equal(filesBefore, filesAfter);
        Assert.IsType<ValidationError>((await OpenAsync(owner, TicketPriority.P3, "req_not-an-id")).Error);

        await using var scope = await factory.MemberScopeAsync(owner);
        Assert.Empty((await scope.ServiceProvider.GetRequiredService<SupportQueries>().ListMineAsync()).Value!);
    }

    [Fact]
    public async Task Resolved_tickets_close_seven_days_later_once_and_a_closed_ticket_takes_no_reply()
    {
        var (owner, _) = await factory.VerifiedTenantAsync("工单关闭科技有限公司");
        var ticket = (await OpenAsync(owner, TicketPriority.P4)).Value!;
        Assert.True((await AnswerAsync(ticket.Id, TicketStatus.Resolved, "已解决")).IsSuccess);
        await using var scope = factory.Scope();
        var job = scope.ServiceProvider.GetRequiredService<CloseResolvedTicketsJob>();
        factory.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        await job.RunAsync(CancellationToken.None);
        Assert.Equal(TicketStatus.Resolved, (await QueueRowAsync(ticket.Id)).Ticket.Status);
        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        await using var second = factory.Scope();
        var closed = await Task.WhenAll(job.RunAsync(CancellationToken.None), second.ServiceProvider.GetRequiredService<CloseResolvedTicketsJob>().RunAsync(CancellationToken.None));
        // Both runs together closed it (and any other ticket of this class resolved long enough ago); a third finds nothing.
        Assert.Equal(TicketStatus.Closed, (await QueueRowAsync(ticket.Id)).Ticket.Status);
        Assert.True(closed.Sum() >= 1);
        Assert.Equal(0, await job.RunAsync(CancellationToken.None));
        Assert.Equal("Support.TicketClosed", (await ReplyAsync(owner, ticket.Id)).Error?.Code);
        Assert.Equal("Support.TicketClosed", (await AnswerAsync(ticket.Id, TicketStatus.Open)).Error?.Code);
    }
}

public sealed class SupportTicketTestsOnPostgres(PostgresPortalFactory factory) : SupportTicketTests<PostgresPortalFactory>(factory);

public sealed class SupportTicketTestsOnSqlite(SqlitePortalFactory factory) : SupportTicketTests<SqlitePortalFactory>(factory);
