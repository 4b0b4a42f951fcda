using FluentValidation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Kyc;
using Portal.Core.Localization;

namespace Portal.Core.Features.Catalog;

/// <summary>
/// A PlatformAdmin adds an upstream channel. Its API key is encrypted at rest (<see cref="ChannelSecrets"/>) and never
/// shown again; only its last 4 characters are kept in clear. Audited (without the key); the relay's catalog cache is told.
/// </summary>
public static class CreateChannel
{
    public sealed record Command(
        string Name,
        ChannelType Type,
        string? BaseUrl,
        string? ApiKey,
        int Priority,
        int Weight,
        bool Enabled,
        IReadOnlyList<ChannelModelMapping> Models,
        int ConnectTimeoutMs = 5_000,
        int FirstByteTimeoutMs = 60_000,
        int SimulatorLatencyMs = 0,
        int SimulatorTokensPerSecond = 0,
        int SimulatorFailurePerMille = 0,
        bool SupportsResponsesApi = false,
        string? AzureApiVersion = null,
        WireFamily SimulatorWireFamily = WireFamily.OpenAI,
        ChannelRegion Region = ChannelRegion.Domestic,
        string? ProviderCountry = null) : IChannelFields;

    public sealed class Validator : AbstractValidator<Command>
    {
        public Validator(IStringLocalizer<SharedResource> l)
        {
            Include(new ChannelFieldsValidator(l));
            RuleFor(c => c.ApiKey).Must(ChannelApiKeys.IsValid).WithMessage(l["The API key must be at most 1000 characters without spaces or line breaks."]);
        }
    }

    public sealed class Handler(
        IDbContextFactory<PortalDbContext> dbFactory,
        OperatorAccess access,
        IValidator<Command> validator,
        IStringLocalizer<SharedResource> l,
        ChannelSecrets secrets,
        AuditLog audit,
        IRelayCache relayCache,
        TimeProvider clock)
    {
        public async Task<Result<Guid>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (!(await access.RequireAsync(db, cancellationToken, OperatorRoles.PlatformAdmin)).IsSuccess) return CatalogErrors.AdminsOnly;
            if (await command.CheckModelsExistAsync(db, l, cancellationToken) is { } unknown) return unknown;
            var name = command.Name.Trim();
            if (await db.Channels.AnyAsync(c => c.Name == name, cancellationToken)) return ChannelFieldsExtensions.NameTaken(l, name);

            var now = clock.GetUtcNow();
            var channel = new Channel { Id = Ids.New(), Enabled = command.Enabled, CreatedAt = now, UpdatedAt = now };
            command.ApplyTo(channel);
            if (command.Type != ChannelType.Simulator && !string.IsNullOrWhiteSpace(command.ApiKey))
            {
                var key = command.ApiKey.Trim();
                channel.ApiKeyProtected = secrets.Protect(key);
                channel.ApiKeyLast4 = ChannelSecrets.Last4(key);
            }

            db.Channels.Add(channel);
            audit.Add(db, "catalog.channel_created", nameof(Channel), channel.Id,
                LocalizedText.Encode(channel.Enabled ? "{0}{1}" : "{0}{1} (disabled)", channel.Describe(), channel.ApiKeyLast4 is null ? "" : $", ••••{channel.ApiKeyLast4}"), null);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                // NOTE: the unique index on name decides between two operators adding the same name at once.
                return ChannelFieldsExtensions.NameTaken(l, name);
            }

            relayCache.CatalogChanged();
            return channel.Id;
        }
    }
}
