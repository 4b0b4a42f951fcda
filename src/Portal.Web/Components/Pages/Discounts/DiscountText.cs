using Microsoft.Extensions.Localization;
using Portal.Core.Features.Discounts;
using Portal.Core.Localization;

namespace Portal.Web.Components.Pages.Discounts;

/// <summary>How a tier's discount reads: "10 % off" in English, "9 折" in Chinese (the zh-CN text uses the second argument).</summary>
public static class DiscountText
{
    public static string Label(IStringLocalizer<SharedResource> l, VolumeDiscountTier tier) =>
        string.Format(System.Globalization.CultureInfo.CurrentCulture, l["{0} % off"], tier.PercentText, tier.ZheText);
}
