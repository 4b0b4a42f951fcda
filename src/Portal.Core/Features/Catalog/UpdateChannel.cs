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
/// A PlatformAdmin edits a channel: settings, model mapping, simulator behaviour, and the write-only API key
/// (<see cref="Command.NewApiKey"/> replaces it, <see cref="Command.RemoveApiKey"/> clears it, neither keeps it).
/// Audited (a key change as its own entry, showing only the last 4 characters); the relay's catalog cache is told.
/// </summary>
public static class UpdateChannel
{
    public sealed record Command(
        Guid Id,
        string Name,
        ChannelType Type,
        string? BaseUrl,
        int Priority,
        int Weight,
        IReadOnlyList<ChannelModelMapping> Models,
        int ConnectTimeoutMs = 5_000,
        int FirstByteTimeoutMs = 60_000,
        int SimulatorLatencyMs = 0,
        int SimulatorTokensPerSecond = 0,
        int SimulatorFailurePerMille = 0,
        string? NewApiKey = null,
        bool RemoveApiKey = false,
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
            RuleFor(c => c.NewApiKey).Must(ChannelApiKeys.IsValid).WithMessage(l["The API key must be at most 1000 characters without spaces or line breaks."]);
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
        public async Task<Result<Unit>> HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (await validator.CheckAsync(command, cancellationToken) is { } invalid) return invalid;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            if (!(await access.RequireAsync(db, cancellationToken, OperatorRoles.PlatformAdmin)).IsSuccess) return CatalogErrors.AdminsOnly;
            var channel = await db.Channels.Include(c => c.Models).FirstOrDefaultAsync(c => c.Id == command.Id, cancellationToken);
            if (channel is null) return CatalogErrors.ChannelNotFound;
            if (await command.CheckModelsExistAsync(db, l, cancellationToken) is { } unknown) return unknown;
            var name = command.Name.Trim();
            if (await db.Channels.AnyAsync(c => c.Name == name && c.Id != channel.Id, cancellationToken)) return ChannelFieldsExtensions.NameTaken(l, name);

            var before = channel.Describe();
            command.ApplyTo(channel);
            var after = channel.Describe();
            var now = clock.GetUtcNow();
            if (before != after) audit.Add(db, "catalog.channel_updated", nameof(Channel), channel.Id, LocalizedText.Encode("{0}", after), null);

            var oldLast4 = channel.ApiKeyLast4;
            if (command.Type == ChannelType.Simulator || command.RemoveApiKey)
            {
                channel.ApiKeyProtected = null;
                channel.ApiKeyLast4 = null;
            }
            else if (!string.IsNullOrWhiteSpace(command.NewApiKey))
            {
                var key = command.NewApiKey.Trim();
                channel.ApiKeyProtected = secrets.Protect(key);
                channel.ApiKeyLast4 = ChannelSecrets.Last4(key);
            }

            if (db.Entry(channel).Property(c => c.ApiKeyProtected).IsModified)
            {
                audit.Add(db, channel.ApiKeyLast4 is null ? "catalog.channel_key_removed" : "catalog.channel_key_replaced", nameof(Channel), channel.Id,
                    LocalizedText.Encode("{0}: {1} → {2}", channel.Name, oldLast4 is null ? LocalizedText.Term("none") : "••••" + oldLast4, channel.ApiKeyLast4 is null ? LocalizedText.Term("none") : "••••" + channel.ApiKeyLast4), null);
            }

            if (!db.ChangeTracker.HasChanges()) return Unit.Value;
            channel.UpdatedAt = now;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException e) when (DbErrors.IsUniqueViolation(e))
            {
                return ChannelFieldsExtensions.NameTaken(l, name);
            }

            relayCache.CatalogChanged();
            return Unit.Value;
        }
    }
}
