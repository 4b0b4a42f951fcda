using Portal.Core.Common;

namespace Portal.Core.Features.ApiKeys;

/// <summary>An Owner, Admin or Developer enables a disabled key again. Refused while the tenant's real-name verification is not approved. Audited.</summary>
public static class EnableApiKey
{
    public sealed record Command(Guid Id);

    public sealed class Handler(ApiKeyStatusChange change)
    {
        public Task<Result<Unit>> HandleAsync(Command command, CancellationToken cancellationToken = default) =>
            change.ApplyAsync(command.Id, [ApiKeyStatus.Disabled], ApiKeyStatus.Active, "api_keys.enabled", ApiKeyErrors.NotDisabled, requiresKyc: true, cancellationToken);
    }
}
