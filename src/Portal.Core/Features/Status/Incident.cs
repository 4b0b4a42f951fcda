using Portal.Core.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Features.Status;

public enum IncidentStatus
{
    Investigating,
    Identified,
    Monitoring,
    Resolved,
}

public enum IncidentImpact
{
    /// <summary>Slower or some requests failing.</summary>
    Degraded,

    /// <summary>Many requests failing.</summary>
    [EnumText("Partial outage")]
    PartialOutage,

    /// <summary>The models are unusable.</summary>
    [EnumText("Major outage")]
    MajorOutage,
}

/// <summary>An incident operators open, update and resolve; shown on the public <c>/status</c> page with its timeline.</summary>
public sealed class Incident
{
    public Guid Id { get; set; }

    public string Title { get; set; } = "";

    public IncidentImpact Impact { get; set; }

    public IncidentStatus Status { get; set; }

    /// <summary>Public model ids, separated by commas; empty = the whole platform.</summary>
    public string AffectedModels { get; set; } = "";

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? ResolvedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public List<IncidentUpdate> Updates { get; set; } = [];

    public IReadOnlyList<string> Models => AffectedModels.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public bool Affects(string model) => Models.Count == 0 || Models.Contains(model, StringComparer.Ordinal);
}

/// <summary>One entry of an incident's timeline. Append-only.</summary>
public sealed class IncidentUpdate
{
    public Guid Id { get; set; }

    public Guid IncidentId { get; set; }

    public IncidentStatus Status { get; set; }

    public string Message { get; set; } = "";

    public DateTimeOffset At { get; set; }

    public Guid? ByUserId { get; set; }
}

internal sealed class IncidentConfiguration : IEntityTypeConfiguration<Incident>
{
    public void Configure(EntityTypeBuilder<Incident> b)
    {
        b.ToTable("incidents");
        b.Property(i => i.Title).HasMaxLength(200);
        b.Property(i => i.AffectedModels).HasMaxLength(2000);
        b.HasIndex(i => i.StartedAt);
        b.HasMany(i => i.Updates).WithOne().HasForeignKey(u => u.IncidentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class IncidentUpdateConfiguration : IEntityTypeConfiguration<IncidentUpdate>
{
    public void Configure(EntityTypeBuilder<IncidentUpdate> b)
    {
        b.ToTable("incident_updates");
        b.Property(u => u.Message).HasMaxLength(4000);
        b.HasIndex(u => new { u.IncidentId, u.At });
    }
}
