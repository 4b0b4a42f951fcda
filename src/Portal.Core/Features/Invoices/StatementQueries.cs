using Microsoft.EntityFrameworkCore;
using Portal.Core.Common;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.Tenants;

namespace Portal.Core.Features.Invoices;

/// <summary>A month on the statements page: generated already (with its balances) or generated on first download.</summary>
public sealed record StatementMonth(int Year, int Month, MonthlyStatement? Generated);

public enum StatementFormat
{
    Pdf,
    Csv,
}

/// <summary>The tenant's statements: completed months since the tenant was created, downloadable by Owners and Finance.</summary>
public sealed class StatementQueries(IDbContextFactory<PortalDbContext> dbFactory, TenantAccess access, StatementGenerator generator, IFileStore files, TimeProvider clock)
{
    public async Task<Result<IReadOnlyList<StatementMonth>>> ListMineAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var member = await access.RequireAsync(db, cancellationToken, InvoiceRoles.Allowed);
        if (!member.IsSuccess) return member.Error!;
        var createdAt = await db.Tenants.Where(t => t.Id == member.Value!.TenantId).Select(t => t.CreatedAt).SingleAsync(cancellationToken);
        var generated = await db.MonthlyStatements.AsNoTracking().ToListAsync(cancellationToken);
        return StatementMonths.CompletedSince(createdAt, clock.GetUtcNow())
            .Select(m => new StatementMonth(m.Year, m.Month, generated.FirstOrDefault(s => s.Year == m.Year && s.Month == m.Month)))
            .ToList();
    }

    /// <summary>
    /// The PDF or CSV of a completed month of the current tenant, generated on first request. Members other than Owners
    /// and Finance, months that have not ended and months before the tenant existed get NotFound.
    /// </summary>
    public async Task<Result<InvoiceFile>> OpenAsync(int year, int month, StatementFormat format, CancellationToken cancellationToken = default)
    {
        if (!StatementMonths.IsValid(year, month)) return Error.NotFound("Statement");
        Guid tenantId;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var member = await access.RequireAsync(db, cancellationToken, InvoiceRoles.Allowed);
            if (!member.IsSuccess) return Error.NotFound("Statement");
            tenantId = member.Value!.TenantId;
            var createdAt = await db.Tenants.Where(t => t.Id == tenantId).Select(t => t.CreatedAt).SingleAsync(cancellationToken);
            if (StatementMonths.End(year, month) <= createdAt) return Error.NotFound("Statement");
        }

        var statement = await generator.EnsureAsync(tenantId, year, month, cancellationToken);
        if (statement is null) return Error.NotFound("Statement");
        var key = format == StatementFormat.Pdf ? statement.PdfFileKey : statement.CsvFileKey;
        var content = await files.OpenReadAsync(key, cancellationToken);
        if (content is null) return Error.NotFound("Statement");
        return new InvoiceFile(content, $"对账单-{year:0000}-{month:00}.{(format == StatementFormat.Pdf ? "pdf" : "csv")}");
    }
}
