using Portal.Core.Common;

namespace Portal.Core.Features.ApiKeys;

/// <summary>
/// An Owner, Admin or Developer revokes a key, finally: it never works again and cannot be changed or enabled.
/// Works on active and disabled keys; never gated by verification (a key can always be stopped). Audited.
/// </summary>
public static class RevokeApiKey
{
    public sealed record Command(Guid Id);

    public sealed class Handler(ApiKeyStatusChange change)
    {
        public Task<Result<Unit>> HandleAsync(Command command, CancellationToken cancellationToken = default) =>
            change.ApplyAsync(command.Id, [ApiKeyStatus.Active, ApiKeyStatus.Disabled], ApiKeyStatus.Revoked, "api_keys.revoked", ApiKeyErrors.Revoked, requiresKyc: false, cancellationToken);
    }
}
