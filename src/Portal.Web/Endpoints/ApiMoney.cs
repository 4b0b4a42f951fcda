using System.Globalization;
using Portal.Core.Common;

namespace Portal.Web.Endpoints;

/// <summary>How amounts travel in the JSON APIs: yuan as an invariant string, two decimals at least, up to the micro-yuan.</summary>
public static class ApiMoney
{
    public static string Yuan(Money money) => (money.MicroYuan / (decimal)Money.MicroPerYuan).ToString("0.00####", CultureInfo.InvariantCulture);
}
