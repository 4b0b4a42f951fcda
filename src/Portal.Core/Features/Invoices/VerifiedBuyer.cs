using Microsoft.EntityFrameworkCore;
using Portal.Core.Data;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Invoices;

/// <summary>Who the tenant is according to its approved real-name verification: what an invoice title must say.</summary>
/// <param name="Type">Enterprise or individual: only enterprises get 专票.</param>
/// <param name="Name">The verified company name or real name.</param>
/// <param name="TaxpayerId">The verified 统一社会信用代码 (enterprise) or 身份证 number (individual).</param>
/// <param name="RegisteredAddress">The enterprise's registered address, used to prefill the profile.</param>
public sealed record VerifiedBuyer(KycType Type, string Name, string TaxpayerId, string? RegisteredAddress)
{
    public bool IsEnterprise => Type == KycType.Enterprise;

    /// <summary>The tenant's Approved verification, or null (the KYC gate refuses such a tenant anyway).</summary>
    public static async Task<VerifiedBuyer?> FindAsync(PortalDbContext db, Guid tenantId, CancellationToken cancellationToken)
    {
        var approved = await db.KycSubmissions.IgnoreTenantFilter().AsNoTracking()
            .Where(s => s.TenantId == tenantId && s.Status == KycStatus.Approved)
            .FirstOrDefaultAsync(cancellationToken);
        if (approved is null) return null;
        return approved.Type == KycType.Enterprise
            ? new VerifiedBuyer(KycType.Enterprise, approved.CompanyName ?? "", approved.CreditCode ?? "", approved.RegisteredAddress)
            : new VerifiedBuyer(KycType.Individual, approved.RealName ?? "", approved.IdNumber ?? "", null);
    }

    /// <summary>Whether <paramref name="profile"/> still names this buyer (verification can be revoked and redone).</summary>
    public bool Matches(InvoiceProfile profile) =>
        string.Equals(profile.Title.Trim(), Name.Trim(), StringComparison.Ordinal)
        && (IsEnterprise
            ? string.Equals(NormalizeId(profile.TaxpayerId), NormalizeId(TaxpayerId), StringComparison.Ordinal)
            : profile.TaxpayerId.Length == 0 || string.Equals(NormalizeId(profile.TaxpayerId), NormalizeId(TaxpayerId), StringComparison.Ordinal));

    public static string NormalizeId(string? id) => new string((id ?? "").Where(c => !char.IsWhiteSpace(c)).ToArray()).ToUpperInvariant();
}

/// <summary>Who may work with invoices and statements in a tenant: Owners and Finance members.</summary>
public static class InvoiceRoles
{
    public static readonly TenantRole[] Allowed = [TenantRole.Owner, TenantRole.Finance];
}
