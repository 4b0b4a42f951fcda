namespace Portal.Core.Common;

/// <summary>
/// Work a feature needs done before the portal serves (after migrations), such as encrypting rows an older version
/// stored in clear. Run in registration order under the start-up lock, so replicas starting together take turns;
/// each must be idempotent.
/// </summary>
public interface IStartupTask
{
    Task RunAsync(CancellationToken cancellationToken);
}
