using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Notifications;

namespace Portal.Core.Features.Accounts;

/// <summary>
/// "Forgot password": puts a reset link in the outbox for a confirmed account. The caller always shows the
/// same answer, so the form does not reveal which addresses have accounts.
/// </summary>
public static class RequestPasswordReset
{
    public sealed record Command(string Email);

    public sealed class Handler(PortalDbContext db, UserManager<PortalUser> userManager, EmailOutbox outbox, EmailTemplates templates, IOptions<PortalOptions> options)
    {
        public async Task HandleAsync(Command command, CancellationToken cancellationToken = default)
        {
            if (string.IsNullOrWhiteSpace(command.Email)) return;
            var user = await userManager.FindByEmailAsync(command.Email.Trim());
            if (user is null || !user.EmailConfirmed) return;
            var code = await userManager.GeneratePasswordResetTokenAsync(user);
            var link = options.Value.Link($"Account/ResetPassword?code={WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(code))}");
            outbox.Add(db, user.Email!, templates.ResetPassword(user.DisplayName, link, user.Culture), "ResetPassword");
            await db.SaveChangesAsync(cancellationToken);
        }
    }
}
