using System.Text;
using System.Text.Encodings.Web;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>
/// Renders the auto-submitting POST form that hands the buyer to Alipay's cashier. POST because a long
/// biz_content overflows GET URLs; every value is attribute-encoded because the official .NET SDK's
/// unescaped single-quoted form breaks (and becomes injectable) on a subject containing a quote.
/// </summary>
public static class AlipayPagePayForm
{
    /// <summary>The form's id, used by the submit script.</summary>
    public const string FormId = "alipay-submit";

    /// <summary>The portal's script that submits the form: a file, because the Content Security Policy forbids inline script.</summary>
    public const string SubmitScript = "/assets/js/alipay-submit.js";

    /// <summary>Builds a complete HTML document that posts <paramref name="parameters"/> to <c>gateway?charset=utf-8</c>.</summary>
    public static string Render(string gateway, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        ArgumentException.ThrowIfNullOrEmpty(gateway);
        var encoder = HtmlEncoder.Default;
        // The charset in the action tells the gateway how to decode the posted bytes.
        var action = gateway + (gateway.Contains('?') ? "&" : "?") + "charset=utf-8";
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Alipay</title></head><body>")
            .Append("<form id=\"").Append(FormId).Append("\" method=\"post\" accept-charset=\"utf-8\" action=\"")
            .Append(encoder.Encode(action)).Append("\">");
        foreach (var (name, value) in parameters)
        {
            html.Append("<input type=\"hidden\" name=\"").Append(encoder.Encode(name))
                .Append("\" value=\"").Append(encoder.Encode(value)).Append("\">");
        }

        // The visible button keeps the page usable when scripts are blocked (CSP, NoScript).
        return html
            .Append("<noscript><button type=\"submit\">Continue to Alipay</button></noscript></form>")
            .Append("<script src=\"").Append(SubmitScript).Append("\"></script>")
            .Append("</body></html>")
            .ToString();
    }
}
