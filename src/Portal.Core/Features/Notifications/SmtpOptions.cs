namespace Portal.Core.Features.Notifications;

/// <summary>Bound from <c>Smtp</c>. With no <see cref="Host"/>, mail stays in the outbox for operators to read.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    public bool UseStartTls { get; set; } = true;

    public string FromAddress { get; set; } = "noreply@portal.local";

    public string FromName { get; set; } = "Portal";

    public int MaxAttempts { get; set; } = 8;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);
}
