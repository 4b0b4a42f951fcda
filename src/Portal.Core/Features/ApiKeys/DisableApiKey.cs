using Portal.Core.Common;

namespace Portal.Core.Features.ApiKeys;

/// <summary>An Owner, Admin or Developer disables an active key: the relay refuses it within seconds (at once on this replica). It can be enabled again. Never gated by verification: a key can always be stopped. Audited.</summary>
public static class DisableApiKey
{
    public sealed record Command(Guid Id);

    public sealed class Handler(ApiKeyStatusChange change)
    {
        public Task<Result<Unit>> HandleAsync(Command command, CancellationToken cancellationToken = default) =>
            change.ApplyAsync(command.Id, [ApiKeyStatus.Active], ApiKeyStatus.Disabled, "api_keys.disabled", ApiKeyErrors.NotActive, requiresKyc: false, cancellationToken);
    }
}
