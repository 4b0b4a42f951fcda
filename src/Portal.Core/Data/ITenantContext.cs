namespace Portal.Core.Data;

/// <summary>The tenant the current request, circuit or job acts for; null when none (anonymous, operator pages, jobs).</summary>
public interface ITenantContext
{
    Guid? TenantId { get; }
}
