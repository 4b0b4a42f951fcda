using System.Globalization;
using System.Net;
using Microsoft.Extensions.Localization;
using Portal.Core.Localization;

namespace Portal.Core.Features.Notifications;

/// <summary>Builds the portal's emails in the recipient's language. Links are absolute.</summary>
public sealed class EmailTemplates(IStringLocalizer<SharedResource> localizer)
{
    public EmailContent ConfirmEmail(string displayName, string link, string culture) =>
        Render(culture, "Confirm your email", displayName,
            "Please confirm your email address to finish creating your Portal account.", "Confirm email", link);

    public EmailContent ResetPassword(string displayName, string link, string culture) =>
        Render(culture, "Reset your password", displayName,
            "Someone asked to reset the password of your Portal account. If it was you, use the link below; otherwise ignore this email.",
            "Reset password", link);

    /// <summary>To the holder of an address someone tried to sign up with: sign-up answers as for a new address, so the holder is told here.</summary>
    public EmailContent SignUpAttempt(string displayName, string signInLink, string culture) =>
        Render(culture, "Someone tried to create an account with your address", displayName,
            "Someone tried to create a new Portal account with this email address, which already has one. If it was you, sign in instead (or reset your password from the sign-in page); otherwise you can ignore this email.",
            "Sign in", signInLink);

    public EmailContent Invitation(string tenantName, string inviter, string role, string link, string culture)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(NormalizeCulture(culture));
        string roleName;
        try
        {
            roleName = localizer[role];
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }

        return Render(culture, "You are invited to join {0}", "", "{1} invited you to join {0} on Portal as {2}.", "Accept invitation", link, tenantName, inviter, roleName);
    }

    public EmailContent Notice(string culture, string subject, string body, params object[] args) =>
        Render(culture, subject, "", body, null, null, args);

    /// <summary>The portal speaks Chinese unless English was chosen.</summary>
    public static string NormalizeCulture(string? culture) =>
        culture is not null && culture.StartsWith("en", StringComparison.OrdinalIgnoreCase) ? "en" : "zh-CN";

    private EmailContent Render(string culture, string subjectKey, string displayName, string bodyKey, string? actionKey, string? link, params object[] args)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(NormalizeCulture(culture));
        try
        {
            var subject = string.Format(CultureInfo.CurrentCulture, localizer[subjectKey], args);
            var body = string.Format(CultureInfo.CurrentCulture, localizer[bodyKey], args);
            var greeting = string.IsNullOrEmpty(displayName) ? localizer["Hello,"] : string.Format(CultureInfo.CurrentCulture, localizer["Hello {0},"], displayName);
            var html = $"""
                <div style="font-family:-apple-system,'PingFang SC','Microsoft YaHei',sans-serif;max-width:560px;margin:auto;color:#1f2937">
                <h2 style="color:#1d4ed8">Portal</h2>
                <p>{WebUtility.HtmlEncode(greeting)}</p>
                <p>{WebUtility.HtmlEncode(body)}</p>
                {(link is null ? "" : $"<p><a href=\"{WebUtility.HtmlEncode(link)}\" style=\"background:#1d4ed8;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none\">{WebUtility.HtmlEncode(localizer[actionKey!])}</a></p><p style=\"font-size:12px;color:#6b7280\">{WebUtility.HtmlEncode(link)}</p>")}
                </div>
                """;
            var text = $"{greeting}\n\n{body}\n\n{(link is null ? "" : $"{localizer[actionKey!]}: {link}\n")}";
            return new EmailContent(subject, html, text);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
