namespace Portal.Core.Common;

/// <summary>Identifiers: time-ordered GUIDs (v7) so that new rows land at the end of indexes.</summary>
public static class Ids
{
    public static Guid New() => Guid.CreateVersion7();
}
