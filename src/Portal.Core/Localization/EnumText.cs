using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Localization;

namespace Portal.Core.Localization;

/// <summary>
/// The English text of an enum member where its name is not readable as it is (<c>AlipayQr</c> → "Alipay QR code").
/// The text is the localisation key, so the zh-CN table translates it like any other string.
/// </summary>
[AttributeUsage(AttributeTargets.Field)]
public sealed class EnumTextAttribute(string text) : Attribute
{
    public string Text { get; } = text;
}

/// <summary>Localisation keys of enum members: the <see cref="EnumTextAttribute"/> text, else the member name.</summary>
public static class EnumText
{
    private static readonly ConcurrentDictionary<(Type, string), string> Keys = new();

    public static string Key(Enum value) => Keys.GetOrAdd((value.GetType(), value.ToString()), static k =>
        k.Item1.GetField(k.Item2, BindingFlags.Public | BindingFlags.Static)?.GetCustomAttribute<EnumTextAttribute>()?.Text ?? k.Item2);

    /// <summary>The member in the reader's language.</summary>
    public static string Enum(this IStringLocalizer localizer, Enum value) => localizer[Key(value)];
}
