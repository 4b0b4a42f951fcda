namespace Portal.Core.Data;

/// <summary>A bug: code tried to write a row for a tenant other than the current one.</summary>
public sealed class TenancyViolationException(string message) : InvalidOperationException(message);
