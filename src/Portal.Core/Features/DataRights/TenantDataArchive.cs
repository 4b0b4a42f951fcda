using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CsvHelper;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Common.Storage;
using Portal.Core.Data;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.Kyc;
using Portal.Core.Features.Usage;

namespace Portal.Core.Features.DataRights;

/// <summary>One file of an export as the manifest lists it.</summary>
public sealed record ExportPart(string Path, long Bytes, string Sha256);

/// <summary>manifest.json: what the ZIP holds, each part with its size and SHA-256, so a copy can be checked offline.</summary>
public sealed record ExportManifest(string Format, Guid TenantId, Guid ExportId, DateTimeOffset GeneratedAt, IReadOnlyList<ExportPart> Parts);

/// <summary>
/// Writes a tenant's export ZIP entry by entry into a stream (the file store's upload): each entry is serialised from
/// the database as rows arrive and hashed while it is compressed, so neither the ZIP nor any part is held in memory.
/// Secrets never leave: key hashes, invitation token hashes and the encrypted or hashed 身份证 columns are dropped.
/// </summary>
internal sealed class TenantDataArchive(PortalDbContext db, IFileStore files, Guid tenantId, Guid exportId, DateTimeOffset now)
{
    public const string ManifestPath = "manifest.json";

    public const string ManifestFormat = "portal-tenant-export/1";

    /// <summary>Every part an export always has, whatever the tenant did (empty lists are written as []).</summary>
    public static readonly string[] RequiredParts =
    [
        "tenant.json", "members.json", "verification/submissions.json", "verification/documents.json", "api-keys.json", "wallet.json",
        "ledger.json", "top-ups.json", "bank-transfers.json", "refunds.json", "plans.json", "invoices.json", "statements.json", "usage.csv", "audit-log.json",
    ];

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { DropSecretsAndDerivedValues } },
    };

    private static readonly Dictionary<Type, string[]> Secrets = new()
    {
        [typeof(ApiKey)] = [nameof(ApiKey.SecretHash)],
        [typeof(KycSubmission)] = [nameof(KycSubmission.IdNumberProtected), nameof(KycSubmission.IdNumberHash), nameof(KycSubmission.LegacyIdNumber)],
    };

    private readonly List<ExportPart> parts = [];

    public IReadOnlyList<ExportPart> Parts => parts;

    public async Task WriteAsync(Stream output, CancellationToken cancellationToken)
    {
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            var tenant = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => new { t.Id, t.Name, t.Kind, t.CreatedAt }).FirstAsync(cancellationToken);
            var profile = await db.InvoiceProfiles.IgnoreTenantFilter().AsNoTracking().FirstOrDefaultAsync(p => p.TenantId == tenantId, cancellationToken);
            await JsonAsync(zip, "tenant.json", new { tenant.Id, tenant.Name, tenant.Kind, tenant.CreatedAt, InvoiceProfile = profile }, cancellationToken);

            var members = db.Memberships.IgnoreTenantFilter().AsNoTracking().Where(m => m.TenantId == tenantId)
                .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new { m.UserId, u.Email, u.DisplayName, m.Role, m.JoinedAt, u.TwoFactorEnabled })
                .OrderBy(m => m.JoinedAt).AsAsyncEnumerable();
            await JsonAsync(zip, "members.json", members, cancellationToken);

            await JsonAsync(zip, "verification/submissions.json", Rows(db.KycSubmissions, s => s.CreatedAt), cancellationToken);
            var documents = await db.KycDocuments.IgnoreTenantFilter().AsNoTracking().Where(d => d.TenantId == tenantId).OrderBy(d => d.UploadedAt).ToListAsync(cancellationToken);
            await JsonAsync(zip, "verification/documents.json", documents.Select(d => new { d.Id, d.Kind, d.Type, d.OriginalName, d.Length, d.Sha256, d.UploadedAt, File = DocumentPath(d) }), cancellationToken);
            foreach (var document in documents)
                await CopyFileAsync(zip, DocumentPath(document), document.StorageKey, cancellationToken);

            await JsonAsync(zip, "api-keys.json", Rows(db.ApiKeys, k => k.CreatedAt), cancellationToken);
            await JsonAsync(zip, "wallet.json", await db.Wallets.IgnoreTenantFilter().AsNoTracking().Where(w => w.TenantId == tenantId).ToListAsync(cancellationToken), cancellationToken);
            await JsonAsync(zip, "ledger.json", Rows(db.LedgerEntries, e => e.At), cancellationToken);
            await JsonAsync(zip, "top-ups.json", Rows(db.TopUpOrders, o => o.CreatedAt), cancellationToken);
            await JsonAsync(zip, "bank-transfers.json", Rows(db.BankTransferOrders, o => o.CreatedAt), cancellationToken);
            var refunds = await db.RefundRequests.IgnoreTenantFilter().AsNoTracking().Where(r => r.TenantId == tenantId).OrderBy(r => r.RequestedAt).ToListAsync(cancellationToken);
            var allocations = await db.RefundAllocations.IgnoreTenantFilter().AsNoTracking().Where(a => a.TenantId == tenantId).ToListAsync(cancellationToken);
            await JsonAsync(zip, "refunds.json", refunds.Select(r => new { Refund = r, Parts = allocations.Where(a => a.RefundRequestId == r.Id) }), cancellationToken);

            await JsonAsync(zip, "plans.json", new
            {
                Subscriptions = await db.PlanSubscriptions.IgnoreTenantFilter().AsNoTracking().Where(s => s.TenantId == tenantId)
                    .Join(db.Plans, s => s.PlanId, p => p.Id, (s, p) => new { Subscription = s, PlanName = p.Name }).ToListAsync(cancellationToken),
                Periods = await db.PlanPeriods.IgnoreTenantFilter().AsNoTracking().Where(p => p.TenantId == tenantId).ToListAsync(cancellationToken),
                CreditEvents = await db.PlanCreditEvents.IgnoreTenantFilter().AsNoTracking().Where(e => e.TenantId == tenantId).ToListAsync(cancellationToken),
            }, cancellationToken);

            var invoices = await db.Invoices.IgnoreTenantFilter().AsNoTracking().Where(i => i.TenantId == tenantId).OrderBy(i => i.RequestedAt).ToListAsync(cancellationToken);
            await JsonAsync(zip, "invoices.json", invoices, cancellationToken);
            foreach (var invoice in invoices.Where(i => i.CurrentPdfKey is not null))
                await CopyFileAsync(zip, $"invoices/{invoice.Number}.pdf", invoice.CurrentPdfKey!, cancellationToken);

            var statements = await db.MonthlyStatements.IgnoreTenantFilter().AsNoTracking().Where(s => s.TenantId == tenantId).OrderBy(s => s.Year).ThenBy(s => s.Month).ToListAsync(cancellationToken);
            await JsonAsync(zip, "statements.json", statements, cancellationToken);
            foreach (var statement in statements)
            {
                var month = $"{statement.Year:0000}-{statement.Month:00}";
                await CopyFileAsync(zip, $"statements/{month}.pdf", statement.PdfFileKey, cancellationToken);
                await CopyFileAsync(zip, $"statements/{month}.csv", statement.CsvFileKey, cancellationToken);
            }

            await UsageCsvAsync(zip, cancellationToken);
            await JsonAsync(zip, "audit-log.json", db.AuditEntries.IgnoreTenantFilter().AsNoTracking().Where(e => e.TenantId == tenantId).OrderBy(e => e.At).AsAsyncEnumerable(), cancellationToken);

            // The manifest lists every part before it; it is not listed in itself.
            var manifest = new ExportManifest(ManifestFormat, tenantId, exportId, now, parts.ToList());
            var entry = zip.CreateEntry(ManifestPath, CompressionLevel.Optimal);
            await using var stream = entry.Open();
            await JsonSerializer.SerializeAsync(stream, manifest, Json, cancellationToken);
        }
    }

    private IAsyncEnumerable<T> Rows<T, TKey>(DbSet<T> set, System.Linq.Expressions.Expression<Func<T, TKey>> order) where T : class, ITenantOwned =>
        set.IgnoreTenantFilter().AsNoTracking().Where(r => r.TenantId == tenantId).OrderBy(order).AsAsyncEnumerable();

    private static string DocumentPath(KycDocument d) => $"verification/documents/{d.Id:N}{Path.GetExtension(d.StorageKey)}";

    private async Task JsonAsync<T>(ZipArchive zip, string path, T value, CancellationToken cancellationToken) =>
        await PartAsync(zip, path, stream => JsonSerializer.SerializeAsync(stream, value, Json, cancellationToken), cancellationToken);

    private async Task CopyFileAsync(ZipArchive zip, string path, string key, CancellationToken cancellationToken)
    {
        await using var source = await files.OpenReadAsync(key, cancellationToken);
        // A stored file that is gone is left out, so the manifest never lists what the ZIP does not hold.
        if (source is null) return;
        await PartAsync(zip, path, stream => source.CopyToAsync(stream, cancellationToken), cancellationToken);
    }

    private async Task UsageCsvAsync(ZipArchive zip, CancellationToken cancellationToken)
    {
        // NOTE: CsvHelper 34 writes synchronously; the rows still stream (EF enumerates the reader as CsvHelper pulls).
        var rows = db.UsageRecords.IgnoreTenantFilter().AsNoTracking().Where(u => u.TenantId == tenantId).OrderBy(u => u.At)
            .Select(u => new UsageCsvRow
            {
                Id = u.Id, At = u.At, RequestId = u.RequestId, ApiKeyId = u.ApiKeyId, Endpoint = u.Endpoint, Model = u.Model, Status = u.Status, HttpStatus = u.HttpStatus,
                Stream = u.Stream, InputTokens = u.InputTokens, CachedInputTokens = u.CachedInputTokens, CacheWriteInputTokens = u.CacheWriteInputTokens,
                OutputTokens = u.OutputTokens, CostMicroYuan = u.CostMicroYuan, PlanCreditUsedMicroYuan = u.PlanCreditUsedMicroYuan,
                WalletChargedMicroYuan = u.WalletChargedMicroYuan, Estimated = u.Estimated, LatencyMs = u.LatencyMs, ClientIp = u.ClientIp,
            })
            .AsEnumerable();
        await PartAsync(zip, "usage.csv", stream =>
        {
            using var csv = CsvWriter.Create(stream, UsageCsv, leaveOpen: true);
            csv.WriteRecords(rows);
            return Task.CompletedTask;
        }, cancellationToken);
    }

    private static readonly CsvWriterOptions UsageCsv = CsvWriterOptions.For<UsageCsvRow>() with
    {
        WriteByteOrderMark = true,
        Injection = CsvInjection.Escape,
        FormatProvider = CultureInfo.InvariantCulture,
    };

    private async Task PartAsync(ZipArchive zip, string path, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        var entry = zip.CreateEntry(path, CompressionLevel.Optimal);
        await using var entryStream = entry.Open();
        await using var hashing = new HashingStream(entryStream);
        await write(hashing);
        await hashing.FlushAsync(cancellationToken);
        parts.Add(new ExportPart(path, hashing.Length, hashing.Hex()));
    }

    /// <summary>Drops secret columns, and computed get-only values (<c>Amount</c> next to <c>AmountMicroYuan</c>).</summary>
    private static void DropSecretsAndDerivedValues(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object) return;
        var secret = Secrets.GetValueOrDefault(info.Type) ?? [];
        var isEntity = info.Type.Namespace?.StartsWith("Portal.Core.Features", StringComparison.Ordinal) == true;
        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            var property = info.Properties[i];
            var name = (property.AttributeProvider as System.Reflection.MemberInfo)?.Name;
            if (secret.Contains(name) || (isEntity && property.Set is null)) info.Properties.RemoveAt(i);
        }
    }
}

/// <summary>Counts and hashes what passes through to the inner stream (write-only).</summary>
internal sealed class HashingStream(Stream inner) : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private byte[]? digest;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => Written;

    public long Written { get; private set; }

    public override long Position { get => Written; set => throw new NotSupportedException(); }

    public string Hex() => Convert.ToHexStringLower(digest ??= hash.GetHashAndReset());

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        hash.AppendData(buffer);
        Written += buffer.Length;
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        hash.AppendData(buffer.Span);
        Written += buffer.Length;
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) hash.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>One request in usage.csv: metadata only (the platform never stores prompt or completion text).</summary>
[CsvRecord]
internal sealed partial record UsageCsvRow
{
    public Guid Id { get; init; }

    public DateTimeOffset At { get; init; }

    public string RequestId { get; init; } = "";

    public Guid ApiKeyId { get; init; }

    public UsageEndpoint Endpoint { get; init; }

    public string Model { get; init; } = "";

    public UsageStatus Status { get; init; }

    public int HttpStatus { get; init; }

    public bool Stream { get; init; }

    public long InputTokens { get; init; }

    public long CachedInputTokens { get; init; }

    public long CacheWriteInputTokens { get; init; }

    public long OutputTokens { get; init; }

    public long CostMicroYuan { get; init; }

    public long PlanCreditUsedMicroYuan { get; init; }

    public long WalletChargedMicroYuan { get; init; }

    public bool Estimated { get; init; }

    public int LatencyMs { get; init; }

    public string ClientIp { get; init; } = "";
}
