using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Features.Notifications;

public static class NotificationsFeature
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection(SmtpOptions.Section)).ValidateOnStart();
        services.AddScoped<EmailOutbox>();
        services.AddScoped<EmailTemplates>();
        services.AddScoped<OutboxQueries>();
        services.AddScoped<SendOutboxJob>();
        return services;
    }
}
