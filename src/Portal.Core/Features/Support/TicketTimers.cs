namespace Portal.Core.Features.Support;

/// <summary>One timer of a ticket: how long it has run (or ran), its target, and whether it is over.</summary>
public sealed record TicketTimer(TimeSpan Elapsed, TimeSpan Target, bool Stopped)
{
    public bool Breached => Elapsed > Target;

    public TimeSpan Remaining => Target - Elapsed;
}

/// <summary>
/// Targets per priority and the two timers of a ticket. First response: from opening to the first operator answer.
/// Resolution: from opening to Resolved, minus the time the ticket waited for the customer.
/// </summary>
public static class TicketTimers
{
    public static TimeSpan FirstResponseTarget(TicketPriority priority) => priority switch
    {
        TicketPriority.P1 => TimeSpan.FromMinutes(15),
        TicketPriority.P2 => TimeSpan.FromHours(1),
        TicketPriority.P3 => TimeSpan.FromHours(4),
        _ => TimeSpan.FromHours(24),
    };

    public static TimeSpan ResolutionTarget(TicketPriority priority) => priority switch
    {
        TicketPriority.P1 => TimeSpan.FromHours(4),
        TicketPriority.P2 => TimeSpan.FromHours(12),
        TicketPriority.P3 => TimeSpan.FromHours(24),
        _ => TimeSpan.FromHours(72),
    };

    public static TicketTimer FirstResponse(SupportTicket ticket, DateTimeOffset now) =>
        new((ticket.FirstResponseAt ?? now) - ticket.CreatedAt, FirstResponseTarget(ticket.Priority), ticket.FirstResponseAt is not null);

    public static TicketTimer Resolution(SupportTicket ticket, DateTimeOffset now)
    {
        var end = ticket.ResolvedAt ?? now;
        var paused = TimeSpan.FromTicks(ticket.PausedTicks) + (ticket.WaitingSince is { } since && ticket.ResolvedAt is null ? now - since : TimeSpan.Zero);
        return new(end - ticket.CreatedAt - paused, ResolutionTarget(ticket.Priority), ticket.ResolvedAt is not null);
    }

    /// <summary>Moves a ticket into <paramref name="status"/> at <paramref name="now"/>, keeping the pause bookkeeping right.</summary>
    public static void Transition(SupportTicket ticket, TicketStatus status, DateTimeOffset now)
    {
        if (ticket.WaitingSince is { } since && status != TicketStatus.WaitingForCustomer)
        {
            ticket.PausedTicks += (now - since).Ticks;
            ticket.WaitingSince = null;
        }

        if (status == TicketStatus.WaitingForCustomer && ticket.WaitingSince is null) ticket.WaitingSince = now;
        if (status == TicketStatus.Resolved) ticket.ResolvedAt = now;
        else if (status is TicketStatus.Open or TicketStatus.WaitingForCustomer) ticket.ResolvedAt = null;
        if (status == TicketStatus.Closed) ticket.ClosedAt = now;
        ticket.Status = status;
        ticket.UpdatedAt = now;
    }
}
