namespace Portal.Core.Localization;

/// <summary>
/// Marker for the shared string table. Keys are the English text; <c>SharedResource.zh-CN.resx</c>
/// holds the Chinese. A missing translation shows the English key rather than failing.
/// </summary>
public sealed class SharedResource;
