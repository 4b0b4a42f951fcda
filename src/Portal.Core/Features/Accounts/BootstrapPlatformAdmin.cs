using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Core.Features.Accounts;

/// <summary>
/// Creates the operator roles and, when no PlatformAdmin exists yet, the first one: from
/// <c>Bootstrap:AdminEmail</c>/<c>AdminPassword</c>, or on the embedded default with a generated password
/// printed once to the console. Idempotent; replicas starting together run it one at a time under
/// <see cref="StartupLock"/>.
/// </summary>
public sealed class BootstrapPlatformAdmin(
    UserManager<PortalUser> userManager,
    RoleManager<PortalRole> roleManager,
    IOptions<BootstrapOptions> bootstrap,
    IOptions<DatabaseOptions> database,
    TimeProvider clock,
    ILogger<BootstrapPlatformAdmin> logger)
{
    public const string DefaultAdminEmail = "admin@portal.local";

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        foreach (var role in OperatorRoles.All)
        {
            if (!await roleManager.RoleExistsAsync(role)) await roleManager.CreateAsync(new PortalRole(role));
        }

        if ((await userManager.GetUsersInRoleAsync(OperatorRoles.PlatformAdmin)).Count > 0) return;

        var email = bootstrap.Value.AdminEmail;
        var password = bootstrap.Value.AdminPassword;
        var generated = false;
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrWhiteSpace(password))
        {
            if (database.Value.Provider != DatabaseProvider.Sqlite)
            {
                logger.LogWarning("No PlatformAdmin exists. Set Bootstrap:AdminEmail and Bootstrap:AdminPassword to create one.");
                return;
            }

            email ??= DefaultAdminEmail;
            password = GeneratePassword();
            generated = true;
        }

        var user = await userManager.FindByEmailAsync(email);
        var createdHere = user is null;
        if (user is null)
        {
            user = new PortalUser { Id = Ids.New(), UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Platform admin", CreatedAt = clock.GetUtcNow() };
            var created = await userManager.CreateAsync(user, password);
            if (!created.Succeeded)
                throw new InvalidOperationException("Could not create the bootstrap admin: " + string.Join(" ", created.Errors.Select(e => e.Description)));
        }

        await userManager.AddToRoleAsync(user, OperatorRoles.PlatformAdmin);
        if (generated && createdHere)
        {
            // Printed once, on purpose, to the console: this is how the embedded default hands over its first admin.
            Console.WriteLine($"BOOTSTRAP_ADMIN_EMAIL={email}");
            Console.WriteLine($"BOOTSTRAP_ADMIN_PASSWORD={password}");
            Console.WriteLine("Sign in at /Account/Login; operator pages ask you to enable two-factor authentication first.");
        }
        else
        {
            logger.LogInformation("Created the bootstrap PlatformAdmin {Email}", email);
        }
    }

    private static string GeneratePassword()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
        var chars = RandomNumberGenerator.GetItems<char>(alphabet, 16);
        return "Pa1-" + new string(chars);
    }
}
