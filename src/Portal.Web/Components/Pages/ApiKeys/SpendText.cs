using System.Globalization;
using Portal.Core.Common;

namespace Portal.Web.Components.Pages.ApiKeys;

/// <summary>Key spend as people read it: <c>¥12.30</c>, or every decimal a small spend has (<c>¥0.00021</c>), so one cheap request is not shown as ¥0.00.</summary>
public static class SpendText
{
    public static string Of(Money spend)
    {
        var yuan = (decimal)spend.MicroYuan / Money.MicroPerYuan;
        return (yuan < 0 ? "-¥" : "¥") + Math.Abs(yuan).ToString("#,0.00####", CultureInfo.InvariantCulture);
    }
}
