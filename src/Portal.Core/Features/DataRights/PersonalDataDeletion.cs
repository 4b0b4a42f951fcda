using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Support;
using Portal.Core.Features.Usage.Alerts;

namespace Portal.Core.Features.DataRights;

/// <summary>What a closure deleted: counted kinds for the certificate, and files to remove after commit.</summary>
internal sealed record DeletionOutcome(IReadOnlyList<DeletedItem> Items, IReadOnlyList<string> FileKeys);

/// <summary>
/// Deletes or anonymises a closing tenant's personal data inside the closure's transaction. Rows that financial records
/// refer to (users who created keys or asked for refunds, revoked keys that usage records name) are anonymised rather
/// than deleted, so foreign keys and the retained books stay whole; everything else personal is deleted.
/// </summary>
internal static class PersonalDataDeletion
{
    public static async Task<DeletionOutcome> RunAsync(PortalDbContext db, Guid tenantId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var items = new List<DeletedItem>();
        var fileKeys = new List<string>();

        // Members: the membership goes; a person with no other tenant and no operator role is anonymised (email, name,
        // password, phone, authenticator, sign-in tokens), one who belongs elsewhere keeps the account.
        var userIds = await db.Memberships.IgnoreTenantFilter().Where(m => m.TenantId == tenantId).Select(m => m.UserId).ToListAsync(cancellationToken);
        await db.Memberships.IgnoreTenantFilter().Where(m => m.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken);
        var elsewhere = await db.Memberships.IgnoreTenantFilter().Where(m => userIds.Contains(m.UserId)).Select(m => m.UserId)
            .Union(db.UserRoles.Where(r => userIds.Contains(r.UserId)).Select(r => r.UserId)).ToListAsync(cancellationToken);
        var anonymised = userIds.Except(elsewhere).ToList();
        foreach (var userId in anonymised)
        {
            var placeholder = $"closed-{userId:N}@deleted.invalid";
            await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s
                .SetProperty(u => u.Email, placeholder).SetProperty(u => u.NormalizedEmail, placeholder.ToUpperInvariant())
                .SetProperty(u => u.UserName, placeholder).SetProperty(u => u.NormalizedUserName, placeholder.ToUpperInvariant())
                .SetProperty(u => u.EmailConfirmed, false).SetProperty(u => u.DisplayName, "").SetProperty(u => u.PasswordHash, (string?)null)
                .SetProperty(u => u.PhoneNumber, (string?)null).SetProperty(u => u.PhoneNumberConfirmed, false).SetProperty(u => u.TwoFactorEnabled, false)
                .SetProperty(u => u.SecurityStamp, Guid.NewGuid().ToString("N")).SetProperty(u => u.ConcurrencyStamp, Guid.NewGuid().ToString())
                .SetProperty(u => u.LockoutEnabled, true).SetProperty(u => u.LockoutEnd, now.AddYears(100)).SetProperty(u => u.CurrentTenantId, (Guid?)null), cancellationToken);
        }

        await db.UserTokens.Where(t => anonymised.Contains(t.UserId)).ExecuteDeleteAsync(cancellationToken);
        await db.UserLogins.Where(t => anonymised.Contains(t.UserId)).ExecuteDeleteAsync(cancellationToken);
        await db.UserClaims.Where(t => anonymised.Contains(t.UserId)).ExecuteDeleteAsync(cancellationToken);
        await db.Users.Where(u => elsewhere.Contains(u.Id) && u.CurrentTenantId == tenantId).ExecuteUpdateAsync(s => s.SetProperty(u => u.CurrentTenantId, (Guid?)null), cancellationToken);
        items.Add(new DeletedItem("members", "成员关系及个人信息（姓名、邮箱、密码、手机号、两步验证）", userIds.Count));
        items.Add(new DeletedItem("invitations", "成员邀请", await db.Invitations.IgnoreTenantFilter().Where(i => i.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken)));

        // Verification: the scans go, and the personal fields with the 身份证 number (clear, encrypted and hashed).
        // The company name and 统一社会信用代码 stay: they name the buyer of the retained invoices.
        var submissions = db.KycSubmissions.IgnoreTenantFilter().Where(s => s.TenantId == tenantId);
        var idNumbers = await submissions.CountAsync(s => s.IdNumberProtected != null || s.LegacyIdNumber != null, cancellationToken);
        await submissions.ExecuteUpdateAsync(s => s
            .SetProperty(k => k.LicenceDocumentId, (Guid?)null).SetProperty(k => k.AuthorisationLetterDocumentId, (Guid?)null)
            .SetProperty(k => k.IdFrontDocumentId, (Guid?)null).SetProperty(k => k.IdBackDocumentId, (Guid?)null)
            .SetProperty(k => k.LegalRepresentative, (string?)null).SetProperty(k => k.ContactName, (string?)null).SetProperty(k => k.ContactMobile, (string?)null)
            .SetProperty(k => k.RealName, (string?)null).SetProperty(k => k.IdNumberProtected, (string?)null).SetProperty(k => k.IdNumberHash, (string?)null)
            .SetProperty(k => k.LegacyIdNumber, (string?)null), cancellationToken);
        var documents = db.KycDocuments.IgnoreTenantFilter().Where(d => d.TenantId == tenantId);
        fileKeys.AddRange(await documents.Select(d => d.StorageKey).ToListAsync(cancellationToken));
        items.Add(new DeletedItem("kyc_documents", "实名认证证件影像（营业执照、身份证、授权书）", await documents.ExecuteDeleteAsync(cancellationToken)));
        items.Add(new DeletedItem("id_numbers", "身份证号码及法定代表人、联系人信息", idNumbers));

        // Keys are already revoked; usage records name them, so the rows stay without their names and IP lists.
        var keys = await db.ApiKeys.IgnoreTenantFilter().Where(k => k.TenantId == tenantId).ToListAsync(cancellationToken);
        foreach (var key in keys)
        {
            key.Name = "—";
            key.AllowedIpRanges = [];
            key.UpdatedAt = now;
        }

        using (db.EnterPlatformScope()) await db.SaveChangesAsync(cancellationToken);
        items.Add(new DeletedItem("api_keys", "API 密钥（已全部吊销；名称与 IP 白名单已删除，密钥本身从不保存）", keys.Count));

        var attachments = db.Set<TicketAttachment>().IgnoreTenantFilter().Where(a => a.TenantId == tenantId);
        fileKeys.AddRange(await attachments.Select(a => a.StorageKey).ToListAsync(cancellationToken));
        await attachments.ExecuteDeleteAsync(cancellationToken);
        await db.Set<TicketMessage>().IgnoreTenantFilter().Where(m => m.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken);
        items.Add(new DeletedItem("support_tickets", "工单、留言及附件", await db.Set<SupportTicket>().IgnoreTenantFilter().Where(t => t.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken)));

        var settings = await db.Set<WebhookDelivery>().IgnoreTenantFilter().Where(d => d.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken)
            + await db.Set<UsageAlertSettings>().IgnoreTenantFilter().Where(s => s.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken)
            + await db.InvoiceProfiles.IgnoreTenantFilter().Where(p => p.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken);
        items.Add(new DeletedItem("settings", "开票信息（地址、电话、开户行、收票邮箱）与告警 / Webhook 设置", settings));
        return new DeletionOutcome(items, fileKeys);
    }
}
