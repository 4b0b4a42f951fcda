using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Features.Support;

/// <summary>Support tickets (工单): tenants open and reply, operators answer from a queue with timers; a job closes resolved tickets.</summary>
public static class SupportFeature
{
    public static IServiceCollection AddSupport(this IServiceCollection services)
    {
        services.AddScoped<TicketMail>();
        services.AddScoped<SupportQueries>();
        services.AddScoped<OpenTicket.Handler>();
        services.AddScoped<ReplyToTicket.Handler>();
        services.AddScoped<AnswerTicket.Handler>();
        services.AddScoped<CloseResolvedTicketsJob>();
        return services;
    }
}
