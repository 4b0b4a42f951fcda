using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Tenants;
using Portal.Core.Localization;

namespace Portal.Core.Features.Usage.Alerts;

/// <summary>
/// An Owner, Admin or Finance member sets the tenant's alert thresholds and webhook. Saving re-arms the low-balance
/// alert (a balance already below a new threshold is reported once). The first webhook URL gets a new signing secret,
/// returned once.
/// </summary>
public static class SaveAlertSettings
{
    public sealed record Command(Money? LowBalanceThreshold, Money? MonthlySpendThreshold, bool KeyBudgetAlerts, string? WebhookUrl);

    /// <summary><see cref="NewWebhookSecret"/> is set only when a secret was generated now: show it once.</summary>
    public sealed record Outcome(string? NewWebhookSecret);

    public static readonly TenantRole[] Editors = [TenantRole.Owner, TenantRole.Admin, TenantRole.Finance];

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l, IHostEnvironment environment)
        {
            RuleFor(c => c.LowBalanceThreshold).Must(m => m is null || (m.Value.MicroYuan > 0 && m.Value.MicroYuan < 1_000_000_000_000_000))
                .WithMessage(l["Enter an amount greater than zero, or leave it empty to turn the alert off."]);
            RuleFor(c => c.MonthlySpendThreshold).Must(m => m is null || (m.Value.MicroYuan > 0 && m.Value.MicroYuan < 1_000_000_000_000_000))
                .WithMessage(l["Enter an amount greater than zero, or leave it empty to turn the alert off."]);
            RuleFor(c => c.WebhookUrl).Cascade(CascadeMode.Stop)
                .MaximumLength(500).WithMessage(l["The URL is too long."])
                .Must(u => string.IsNullOrWhiteSpace(u) || WebhookUrlPolicy.Check(u.Trim(), environment.IsProduction()) is null)
                .WithMessage(c => l[WebhookUrlPolicy.Check(c.WebhookUrl!.Trim(), environment.IsProduction()) ?? ""]);
        }
    }

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, IValidator<Command> validator, WebhookSecrets secrets, AuditLog audit, TimeProvider clock)
    {
        public async Task<Result<Outcome>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, Editors);
            if (!member.IsSuccess) return member.Error;
            var tenantId = member.Value.TenantId;
            var settings = await db.Set<UsageAlertSettings>().FirstOrDefaultAsync(cancellationToken);
            if (settings is null)
            {
                settings = new UsageAlertSettings { TenantId = tenantId };
                db.Add(settings);
            }

            settings.LowBalanceThresholdMicroYuan = command.LowBalanceThreshold?.MicroYuan;
            settings.MonthlySpendThresholdMicroYuan = command.MonthlySpendThreshold?.MicroYuan;
            settings.KeyBudgetAlerts = command.KeyBudgetAlerts;
            settings.WebhookUrl = string.IsNullOrWhiteSpace(command.WebhookUrl) ? null : command.WebhookUrl.Trim();
            settings.LowBalanceArmed = true;
            settings.UpdatedAt = clock.GetUtcNow();
            string? newSecret = null;
            if (settings.WebhookUrl is not null && settings.WebhookSecretProtected is null)
            {
                newSecret = WebhookSignature.NewSecret();
                settings.WebhookSecretProtected = secrets.Protect(newSecret);
            }

            audit.Add(db, "usage.alert_settings_saved", nameof(UsageAlertSettings), tenantId,
                LocalizedText.Encode("low balance {0}, monthly spend {1}, key budgets {2}, webhook {3}", command.LowBalanceThreshold?.ToDisplay() ?? LocalizedText.Term("Off"), command.MonthlySpendThreshold?.ToDisplay() ?? LocalizedText.Term("Off"), LocalizedText.Term(command.KeyBudgetAlerts ? "On" : "Off"), settings.WebhookUrl ?? LocalizedText.Term("Off")),
                tenantId);
            await db.SaveChangesAsync(cancellationToken);
            return new Outcome(newSecret);
        }
    }
}

/// <summary>Replaces the webhook signing secret (the old one stops verifying at once) and returns the new one, once.</summary>
public static class RegenerateWebhookSecret
{
    public static readonly Error NoWebhook = new("Usage.NoWebhook", "Save a webhook URL first.");

    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, WebhookSecrets secrets, AuditLog audit, TimeProvider clock)
    {
        public async Task<Result<string>> HandleAsync(CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, SaveAlertSettings.Editors);
            if (!member.IsSuccess) return member.Error;
            var settings = await db.Set<UsageAlertSettings>().FirstOrDefaultAsync(cancellationToken);
            if (settings?.WebhookUrl is null) return NoWebhook;
            var secret = WebhookSignature.NewSecret();
            settings.WebhookSecretProtected = secrets.Protect(secret);
            settings.UpdatedAt = clock.GetUtcNow();
            audit.Add(db, "usage.webhook_secret_regenerated", nameof(UsageAlertSettings), settings.TenantId, LocalizedText.Encode("webhook signing secret replaced"), settings.TenantId);
            await db.SaveChangesAsync(cancellationToken);
            return secret;
        }
    }
}

/// <summary>Queues a <c>ping</c> to the tenant's webhook so it can check its receiver and signature code.</summary>
public static class SendTestWebhook
{
    public sealed class Handler(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, TimeProvider clock)
    {
        public async Task<Result<Guid>> HandleAsync(CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var member = await access.RequireAsync(db, cancellationToken, SaveAlertSettings.Editors);
            if (!member.IsSuccess) return member.Error;
            var settings = await db.Set<UsageAlertSettings>().AsNoTracking().FirstOrDefaultAsync(cancellationToken);
            if (settings?.WebhookUrl is null) return RegenerateWebhookSecret.NoWebhook;
            var now = clock.GetUtcNow();
            var delivery = AlertDispatch.NewDelivery(settings.TenantId, settings.WebhookUrl, "ping", null, new Dictionary<string, object?> { ["message"] = "Webhook test from Portal" }, now);
            db.Add(delivery);
            await db.SaveChangesAsync(cancellationToken);
            return delivery.Id;
        }
    }
}
