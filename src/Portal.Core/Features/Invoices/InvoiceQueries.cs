using System.IO.Compression;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Invoices;

/// <summary>The tenant's invoices page: who may act, the profile (or a prefill from the verification), the invoiceable breakdown and the invoices.</summary>
public sealed record MyInvoices(
    bool CanAct,
    Error? Blocked,
    VerifiedBuyer? Buyer,
    InvoiceProfile? Profile,
    SaveInvoiceProfile.Command ProfileForm,
    InvoiceableBreakdown Invoiceable,
    IReadOnlyList<Invoice> Invoices,
    int TaxRateBasisPoints)
{
    public bool ProfileMatches => Profile is not null && Buyer is not null && Buyer.Matches(Profile);
}

/// <summary>A row of finance's queue and list.</summary>
public sealed record InvoiceQueueItem(Invoice Invoice, string TenantName);

/// <summary>What the public verification page shows, and nothing else.</summary>
public sealed record InvoiceVerification(string Number, DateOnly IssuedOn, string SellerName, string BuyerTitle, Money Amount, bool IsVoid);

public sealed record InvoiceFile(Stream Content, string FileName);

/// <summary>Reads for the invoice pages, the downloads, the exports and the verification page.</summary>
public sealed class InvoiceQueries(
    IDbContextFactory<PortalDbContext> dbFactory,
    TenantAccess access,
    OperatorAccess operators,
    IKycGate kyc,
    ICurrentUser currentUser,
    IFileStore files,
    IOptionsMonitor<InvoiceOptions> options)
{
    public const int ListLimit = 500;

    /// <summary>The current tenant's page. Members other than Owners and Finance get <see cref="MyInvoices.CanAct"/> false and no invoices.</summary>
    public async Task<Result<MyInvoices>> GetMineAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireMemberAsync(db, cancellationToken);
        if (!member.IsSuccess) return member.Error!;
        var tenantId = member.Value!.TenantId;
        var empty = new InvoiceableBreakdown(Money.Zero, Money.Zero, Money.Zero, Money.Zero, Money.Zero);
        var rate = options.CurrentValue.TaxRateBasisPoints;
        if (!InvoiceRoles.Allowed.Contains(member.Value.Role))
            return new MyInvoices(false, Error.Forbidden(), null, null, EmptyForm(""), empty, [], rate);

        var blocked = options.CurrentValue.IsConfigured ? await kyc.CheckAsync(tenantId, cancellationToken) : InvoiceErrors.NotConfigured;
        var buyer = await VerifiedBuyer.FindAsync(db, tenantId, cancellationToken);
        var profile = await db.InvoiceProfiles.AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        var form = profile is not null
            ? new SaveInvoiceProfile.Command(profile.Title, profile.TaxpayerId, profile.Address, profile.Phone, profile.BankName, profile.BankAccount, profile.Email)
            : EmptyForm(currentUser.Name) with
            {
                Title = buyer?.Name ?? "",
                TaxpayerId = buyer is { IsEnterprise: true } ? buyer.TaxpayerId : "",
                Address = buyer?.RegisteredAddress ?? "",
            };
        // A profile saved before a new verification is refilled with the verified name and code.
        if (profile is not null && buyer is not null && !buyer.Matches(profile))
            form = form with { Title = buyer.Name, TaxpayerId = buyer.IsEnterprise ? buyer.TaxpayerId : "" };
        var breakdown = await InvoiceableBreakdown.ComputeAsync(db, tenantId, cancellationToken);
        var invoices = await db.Invoices.AsNoTracking().OrderByDescending(i => i.RequestedAt).ThenByDescending(i => i.Id).Take(ListLimit).ToListAsync(cancellationToken);
        return new MyInvoices(true, blocked, buyer, profile, form, breakdown, invoices, rate);
    }

    private static SaveInvoiceProfile.Command EmptyForm(string email) => new("", "", "", "", "", "", email.Contains('@') ? email : "");

    /// <summary>
    /// An invoice's PDF (the stamped one after a void): for operators any tenant's; otherwise only the current tenant's,
    /// and only for its Owners and Finance. Everyone else, a Developer of the same tenant included, gets NotFound.
    /// </summary>
    public async Task<Result<InvoiceFile>> OpenPdfAsync(Guid invoiceId, bool asOperator, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        Invoice? invoice = null;
        if (asOperator)
        {
            if ((await operators.RequireAsync(db, cancellationToken, OperatorRoles.All)).IsSuccess)
                invoice = await db.Invoices.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(i => i.Id == invoiceId, cancellationToken);
        }
        else if ((await access.RequireAsync(db, cancellationToken, InvoiceRoles.Allowed)).IsSuccess)
        {
            invoice = await db.Invoices.AsNoTracking().FirstOrDefaultAsync(i => i.Id == invoiceId, cancellationToken);
        }

        if (invoice?.CurrentPdfKey is not { } key) return Error.NotFound("Invoice");
        var content = await files.OpenReadAsync(key, cancellationToken);
        if (content is null) return Error.NotFound("Invoice");
        return new InvoiceFile(content, InvoiceFiles.FileName(invoice));
    }

    /// <summary>
    /// The public verification page's facts for <paramref name="code"/>, or null for anything that is not the code of
    /// an issued (or voided) invoice: a guess, a malformed code and a pending request all look the same.
    /// </summary>
    public async Task<InvoiceVerification?> VerifyAsync(string? code, CancellationToken cancellationToken = default)
    {
        if (!VerificationCodes.IsWellFormed(code)) return null;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Public page: no tenant, so the explicit filter bypass; the unguessable code is the only key.
        var invoice = await db.Invoices.IgnoreTenantFilter().AsNoTracking()
            .Where(i => i.VerificationCode == code && (i.Status == InvoiceStatus.Issued || i.Status == InvoiceStatus.Voided))
            .Select(i => new { i.Number, i.IssuedOn, i.SellerName, i.BuyerTitle, i.AmountMicroYuan, i.Status })
            .FirstOrDefaultAsync(cancellationToken);
        return invoice is null
            ? null
            : new InvoiceVerification(invoice.Number!, invoice.IssuedOn!.Value, invoice.SellerName!, invoice.BuyerTitle, new Money(invoice.AmountMicroYuan), invoice.Status == InvoiceStatus.Voided);
    }

    /// <summary>Finance's list: Pending oldest first, or every invoice of one status, newest first.</summary>
    public async Task<Result<IReadOnlyList<InvoiceQueueItem>>> ListForFinanceAsync(InvoiceStatus status, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var actor = await operators.RequireFinanceAsync(db, cancellationToken);
        if (!actor.IsSuccess) return actor.Error!;
        var query = db.Invoices.IgnoreTenantFilter().AsNoTracking().Where(i => i.Status == status);
        query = status == InvoiceStatus.Pending
            ? query.OrderBy(i => i.RequestedAt).ThenBy(i => i.Id)
            : query.OrderByDescending(i => i.IssuedAt ?? i.RequestedAt).ThenByDescending(i => i.Id);
        var rows = await query.Take(ListLimit)
            .Join(db.Tenants, i => i.TenantId, t => t.Id, (i, t) => new { Invoice = i, TenantName = t.Name })
            .ToListAsync(cancellationToken);
        return rows.Select(r => new InvoiceQueueItem(r.Invoice, r.TenantName)).ToList();
    }

    /// <summary>Invoices issued in a China calendar month (voided ones included), by number.</summary>
    private static async Task<List<Invoice>> IssuedInAsync(PortalDbContext db, int year, int month, CancellationToken cancellationToken)
    {
        var from = new DateOnly(year, month, 1);
        var to = from.AddMonths(1);
        return await db.Invoices.IgnoreTenantFilter().AsNoTracking()
            .Where(i => (i.Status == InvoiceStatus.Issued || i.Status == InvoiceStatus.Voided) && i.IssuedOn >= from && i.IssuedOn < to)
            .OrderBy(i => i.Number)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Finance's monthly archive: every PDF issued in the month (stamped copies for voided ones) in one ZIP.</summary>
    public async Task<Result<byte[]>> ExportZipAsync(int year, int month, CancellationToken cancellationToken = default)
    {
        if (!StatementMonths.IsValid(year, month)) return Error.NotFound("Month");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var actor = await operators.RequireFinanceAsync(db, cancellationToken);
        if (!actor.IsSuccess) return actor.Error!;
        var invoices = await IssuedInAsync(db, year, month, cancellationToken);
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var invoice in invoices)
            {
                if (invoice.CurrentPdfKey is not { } key) continue;
                await using var content = await files.OpenReadAsync(key, cancellationToken);
                if (content is null) continue;
                var entry = zip.CreateEntry(InvoiceFiles.FileName(invoice), CompressionLevel.Fastest);
                await using var target = await entry.OpenAsync(cancellationToken);
                await content.CopyToAsync(target, cancellationToken);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Finance's monthly list of invoices as CSV (UTF-8 with BOM for Excel).</summary>
    public async Task<Result<byte[]>> ExportCsvAsync(int year, int month, CancellationToken cancellationToken = default)
    {
        if (!StatementMonths.IsValid(year, month)) return Error.NotFound("Month");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var actor = await operators.RequireFinanceAsync(db, cancellationToken);
        if (!actor.IsSuccess) return actor.Error!;
        var invoices = await IssuedInAsync(db, year, month, cancellationToken);
        using var buffer = new MemoryStream();
        InvoiceCsv.Write(invoices, buffer);
        return buffer.ToArray();
    }
}
