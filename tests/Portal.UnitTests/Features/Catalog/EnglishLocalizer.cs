using Microsoft.Extensions.Localization;
using Portal.Core.Localization;

namespace Portal.UnitTests.Features.Catalog;

/// <summary>The English keys themselves, as the UI shows them with English chosen.</summary>
internal sealed class EnglishLocalizer : IStringLocalizer<SharedResource>
{
    public LocalizedString this[string name] => new(name, name);

    public LocalizedString this[string name, params object[] arguments] => new(name, string.Format(name, arguments));

    public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) => [];
}
