using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Tenants;
using Portal.Core.Features.Wallet;

namespace Portal.Core.Features.Demo;

/// <summary>Bound from <c>Demo</c>.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    public string UserEmail { get; set; } = "demo@portal.local";

    public string Password { get; set; } = "Demo-Portal-2026";

    public string TenantName { get; set; } = "演示科技有限公司";

    /// <summary>The demo tenant's starting balance in yuan, credited once through the ledger (key <c>demo:seed</c>).</summary>
    public long BalanceYuan { get; set; } = 1000;
}

/// <summary>
/// <c>seed-demo</c>: a demo tenant with a confirmed Owner and a balance (a real ledger credit under the key
/// <c>demo:seed</c>). Idempotent: running it again changes nothing except resetting the demo password to the
/// configured one. Returns the lines to print.
/// </summary>
public sealed class DemoSeeder(
    PortalDbContext db,
    UserManager<PortalUser> userManager,
    IOptions<DemoOptions> options,
    IOptions<PortalOptions> portal,
    Ledger ledger,
    TimeProvider clock)
{
    public async Task<IReadOnlyList<string>> SeedAsync(CancellationToken cancellationToken = default)
    {
        var demo = options.Value;
        var now = clock.GetUtcNow();
        var user = await userManager.FindByEmailAsync(demo.UserEmail);
        if (user is null)
        {
            user = new PortalUser { Id = Ids.New(), UserName = demo.UserEmail, Email = demo.UserEmail, EmailConfirmed = true, DisplayName = "演示用户", CreatedAt = now };
            var created = await userManager.CreateAsync(user, demo.Password);
            if (!created.Succeeded) throw new InvalidOperationException(string.Join(" ", created.Errors.Select(e => e.Description)));
        }
        else
        {
            var token = await userManager.GeneratePasswordResetTokenAsync(user);
            await userManager.ResetPasswordAsync(user, token, demo.Password);
        }

        using (db.EnterPlatformScope())
        {
            var membership = await db.Memberships.IgnoreTenantFilter().FirstOrDefaultAsync(m => m.UserId == user.Id && m.Role == TenantRole.Owner, cancellationToken);
            if (membership is null)
            {
                var tenant = new Tenant { Id = Ids.New(), Name = demo.TenantName, Kind = TenantKind.Company, CreatedAt = now };
                db.Tenants.Add(tenant);
                db.Memberships.Add(new Membership { Id = Ids.New(), TenantId = tenant.Id, UserId = user.Id, Role = TenantRole.Owner, JoinedAt = now });
                var tracked = await db.Users.FirstAsync(u => u.Id == user.Id, cancellationToken);
                tracked.CurrentTenantId = tenant.Id;
                await db.SaveChangesAsync(cancellationToken);
                membership = await db.Memberships.IgnoreTenantFilter().FirstAsync(m => m.UserId == user.Id && m.Role == TenantRole.Owner, cancellationToken);
            }

            if (demo.BalanceYuan > 0)
            {
                var seeded = await ledger.PostAsync(
                    new LedgerPosting(membership.TenantId, Money.FromYuan(demo.BalanceYuan), LedgerEntryKind.Adjustment, "demo:seed", "Demo balance", "wallet.demo_seeded"),
                    cancellationToken: cancellationToken);
                if (!seeded.IsSuccess) throw new InvalidOperationException(seeded.Error!.Message);
            }
        }

        return
        [
            $"DEMO_USER={demo.UserEmail}",
            $"DEMO_PASSWORD={demo.Password}",
            $"DEMO_LOGIN_URL={portal.Value.Link("Account/Login")}",
        ];
    }
}
