using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Audit;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Plans;
using Portal.Core.Features.Tenants;
using Portal.Core.Features.Wallet;
using Portal.Core.Localization;

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
/// <c>seed-demo</c>: a demo tenant with a confirmed Owner, verified as an enterprise (a generated credit code and
/// licence image), with a balance (a real ledger credit under the key <c>demo:seed</c>), and the relay's demo catalog
/// (<see cref="DemoCatalog"/>: models, a Simulator channel, a fresh API key). Idempotent: running it again changes
/// nothing except resetting the demo password to the configured one and issuing one more demo key. Returns the lines to print.
/// </summary>
public sealed class DemoSeeder(
    PortalDbContext db,
    UserManager<PortalUser> userManager,
    IOptions<DemoOptions> options,
    IOptions<PortalOptions> portal,
    IFileStore store,
    Ledger ledger,
    DemoCatalog catalog,
    AuditLog audit,
    TimeProvider clock)
{
    public async Task<IReadOnlyList<string>> SeedAsync(CancellationToken cancellationToken = default)
    {
        var demo = options.Value;
        IReadOnlyList<string> relay;
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

            await EnsureVerifiedAsync(membership.TenantId, demo.TenantName, now, cancellationToken);
            await EnsurePlansAsync(now, cancellationToken);
            if (demo.BalanceYuan > 0)
            {
                var seeded = await ledger.PostAsync(
                    new LedgerPosting(membership.TenantId, Money.FromYuan(demo.BalanceYuan), LedgerEntryKind.Adjustment, "demo:seed", LocalizedText.Encode("Demo balance"), "wallet.demo_seeded"),
                    cancellationToken: cancellationToken);
                if (!seeded.IsSuccess) throw new InvalidOperationException(seeded.Error!.Message);
            }

            relay = await catalog.SeedAsync(membership.TenantId, user.Id, cancellationToken);
        }

        return
        [
            $"DEMO_USER={demo.UserEmail}",
            $"DEMO_PASSWORD={demo.Password}",
            $"DEMO_LOGIN_URL={portal.Value.Link("Account/Login")}",
            .. relay,
        ];
    }

    /// <summary>An Approved enterprise verification with a stored licence image, unless the tenant has one already.</summary>
    private async Task EnsureVerifiedAsync(Guid tenantId, string companyName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await db.KycSubmissions.IgnoreTenantFilter().AnyAsync(s => s.TenantId == tenantId && s.Status == KycStatus.Approved, cancellationToken)) return;

        // Demo data only: a well-formed code that no other tenant has had approved.
        var random = new Random();
        string code;
        do
        {
            code = UnifiedSocialCreditCode.Generate(random);
        }
        while (await db.KycSubmissions.IgnoreTenantFilter().AnyAsync(s => s.CreditCode == code && s.Status == KycStatus.Approved, cancellationToken));

        var png = LicenceImage.GeneratePng(companyName, code);
        string key;
        UploadOutcome outcome;
        await using (var upload = await store.BeginAsync(cancellationToken))
        {
            outcome = await DocumentSniffer.CopyLimitedAsync(new MemoryStream(png), upload.Content, KycLimits.DocumentMaxBytes, cancellationToken);
            if (!outcome.Succeeded) throw new InvalidOperationException(outcome.Error.Message);
            key = await upload.CommitAsync(outcome.Type.Value.FileExtension(), cancellationToken);
        }

        var licence = new KycDocument
        {
            Id = Ids.New(),
            TenantId = tenantId,
            Kind = KycDocumentKind.BusinessLicence,
            Type = outcome.Type.Value,
            StorageKey = key,
            OriginalName = "营业执照.png",
            Length = outcome.Length,
            Sha256 = outcome.Sha256,
            UploadedAt = now,
        };
        var open = await db.KycSubmissions.IgnoreTenantFilter()
            .Where(s => s.TenantId == tenantId && (s.Status == KycStatus.Draft || s.Status == KycStatus.Submitted))
            .ToListAsync(cancellationToken);
        foreach (var stale in open)
        {
            stale.Status = KycStatus.Rejected;
            stale.RejectionReason = "Replaced by seed-demo.";
            stale.DecidedAt = now;
            stale.DecidedBy = "system";
        }

        db.KycDocuments.Add(licence);
        db.KycSubmissions.Add(new KycSubmission
        {
            Id = Ids.New(),
            TenantId = tenantId,
            Type = KycType.Enterprise,
            Status = KycStatus.Approved,
            CompanyName = companyName,
            CreditCode = code,
            LegalRepresentative = "张三",
            RegisteredAddress = "北京市海淀区中关村大街1号",
            ContactName = "张三",
            ContactMobile = "13800138000",
            ContactIsLegalRepresentative = true,
            LicenceDocumentId = licence.Id,
            CreatedAt = now,
            UpdatedAt = now,
            SubmittedAt = now,
            DecidedAt = now,
            DecidedBy = "system",
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The two demo plans, modelled on common tiers, unless plans with these names exist (archived ones included).</summary>
    private async Task EnsurePlansAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        (string Name, string Description, long PriceYuan, long CreditYuan, int Order)[] plans =
        [
            ("基础套餐", "适合小团队与日常开发：每月 ¥3,900 的模型用量，按标价抵扣。", 3_000, 3_900, 10),
            ("标准套餐", "适合生产业务：每月 ¥14,000 的模型用量，按标价抵扣。", 10_000, 14_000, 20),
        ];
        foreach (var (name, description, price, credit, order) in plans)
        {
            if (await db.Plans.AnyAsync(p => p.Name == name, cancellationToken)) continue;
            var plan = new Plan
            {
                Id = Ids.New(),
                Name = name,
                Description = description,
                PriceMicroYuan = Money.FromYuan(price).MicroYuan,
                CreditMicroYuan = Money.FromYuan(credit).MicroYuan,
                Status = PlanStatus.Active,
                DisplayOrder = order,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Plans.Add(plan);
            audit.Add(db, "plans.plan_created", nameof(Plan), plan.Id, LocalizedText.Encode("{0}: {1} / month, {2} credit (seed-demo)", name, plan.Price.ToDisplay(), plan.Credit.ToDisplay()), null);
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
