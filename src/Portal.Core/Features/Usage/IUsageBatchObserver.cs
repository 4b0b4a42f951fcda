using Portal.Core.Data;

namespace Portal.Core.Features.Usage;

/// <summary>
/// Told about every batch of usage records the relay's settlement writer saves, inside the same transaction and
/// before it commits, so that what it maintains (roll-ups, key spend) can never miss or double-count a record: the
/// batch and the observer's changes commit or roll back together. Implementations use set-based SQL or add/modify
/// entities on the given context; they must not commit. The writer calls <c>SaveChangesAsync</c> after all observers.
/// </summary>
public interface IUsageBatchObserver
{
    Task OnBatchAsync(PortalDbContext db, IReadOnlyList<UsageRecord> batch, CancellationToken cancellationToken);
}
