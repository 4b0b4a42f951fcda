using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.ApiKeys;
using Portal.Core.Features.DataRights;
using Portal.Core.Features.Invoices;
using Portal.Core.Features.Payments.Refunds;
using Portal.IntegrationTests.Features.Invoices;
using Portal.IntegrationTests.Infrastructure;
using Portal.Relay.Keys;
using UglyToad.PdfPig;

namespace Portal.IntegrationTests.Features.DataRights;

public sealed record ExportDto(Guid Id, DataExportStatus Status, DateTimeOffset RequestedAt, DateTimeOffset? CompletedAt, DateTimeOffset? ExpiresAt, long? SizeBytes, string? Sha256, int? PartCount, string? DownloadUrl);

public sealed record ClosureDto(Guid ClosureId, string VerificationUrl, string CertificateUrl, Guid? RefundId, string Refund);

public abstract class DataRightsTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Fact]
    public async Task Export_contains_every_part_and_its_manifest_verifies()
    {
        var (client, tenantId) = await InvoiceArrange.PaidTenantAsync(factory, "导出测试科技有限公司", "1000");
        var (secret, keyId) = await factory.KeyAsync(tenantId);
        var usage = UsageHelpers.Record(tenantId, keyId, factory.Clock.GetUtcNow(), cost: 2_000_000);
        usage.ClientIp = "203.0.113.9";
        await factory.RecordUsageAsync([usage]);
        var invoice = await InvoiceArrange.RequestOkAsync(client, "100");
        Assert.True((await InvoiceArrange.IssueAsync(factory, invoice.Id)).IsSuccess);
        factory.Clock.Advance(TimeSpan.FromDays(32));
        await using (var scope = factory.Scope())
            await scope.ServiceProvider.GetRequiredService<MonthlyStatementsJob>().RunAsync(CancellationToken.None);
        await SignInAgainAsync(client);

        var export = await RequestExportAsync(client);
        Assert.Equal(DataExportStatus.Queued, export.Status);
        Assert.Null(export.DownloadUrl);
        Assert.True(await BuildAsync(export.Id));
        Assert.False(await BuildAsync(export.Id)); // a second run of the job finds it claimed and does nothing
        export = await client.GetJsonAsync<ExportDto>($"/api/tenant/data-exports/{export.Id}");
        Assert.Equal(DataExportStatus.Ready, export.Status);
        Assert.Equal(factory.Clock.GetUtcNow().AddDays(7), export.ExpiresAt!.Value, TimeSpan.FromMilliseconds(1));

        var zipBytes = await client.Http.GetByteArrayAsync(export.DownloadUrl);
        Assert.Equal(export.SizeBytes, zipBytes.Length);
        Assert.Equal(export.Sha256, Convert.ToHexStringLower(SHA256.HashData(zipBytes)));
        using var zip = new ZipArchive(new MemoryStream(zipBytes), ZipArchiveMode.Read);
        var manifest = JsonSerializer.Deserialize<ExportManifest>(Read(zip, TenantDataArchive.ManifestPath), TenantDataArchive.Json)!;
        Assert.Equal(tenantId, manifest.TenantId);
        Assert.Equal(export.PartCount, manifest.Parts.Count);
        // Every entry but the manifest is listed, and every listed part hashes to what the manifest says.
        Assert.Equal(zip.Entries.Select(e => e.FullName).Where(n => n != TenantDataArchive.ManifestPath).Order(), manifest.Parts.Select(p => p.Path).Order());
        foreach (var part in manifest.Parts)
        {
            var bytes = Read(zip, part.Path);
            Assert.Equal(part.Bytes, bytes.Length);
            Assert.Equal(part.Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }

        Assert.Superset(TenantDataArchive.RequiredParts.ToHashSet(), manifest.Parts.Select(p => p.Path).ToHashSet());
        Assert.Contains(manifest.Parts, p => p.Path.StartsWith("verification/documents/", StringComparison.Ordinal) && p.Path.EndsWith(".png", StringComparison.Ordinal));
        var invoiceNumber = (await InvoiceArrange.InvoiceAsync(client, invoice.Id)).Number;
        Assert.StartsWith("%PDF", Encoding.ASCII.GetString(Read(zip, $"invoices/{invoiceNumber}.pdf"), 0, 4));
        Assert.Contains(manifest.Parts, p => p.Path.StartsWith("statements/", StringComparison.Ordinal) && p.Path.EndsWith(".pdf", StringComparison.Ordinal));

        var text = (string path) => Encoding.UTF8.GetString(Read(zip, path));
        Assert.Contains("导出测试科技有限公司", text("tenant.json"));
        Assert.Contains(client.Email, text("members.json"));
        Assert.Contains(keyId.ToString(), text("api-keys.json"));
        Assert.DoesNotContain(ApiKeyFormat.Hash(secret), text("api-keys.json"));
        Assert.DoesNotContain("secretHash", text("api-keys.json"), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("idNumberHash", text("verification/submissions.json"), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"TopUp\"", text("ledger.json"));
        Assert.Contains(usage.RequestId, text("usage.csv"));
        Assert.Contains("203.0.113.9", text("usage.csv"));
        Assert.Contains("data.export_requested", text("audit-log.json"));

        await using var db = await factory.DbAsync();
        var actions = await db.AuditEntries.IgnoreTenantFilter().Where(e => e.TenantId == tenantId).Select(e => e.Action).ToListAsync();
        Assert.Contains("data.export_ready", actions);
        Assert.Contains("data.export_downloaded", actions);
    }

    [Fact]
    public async Task Another_tenants_export_is_404_and_only_Owners_may_export()
    {
        var (owner, _) = await factory.VerifiedTenantAsync("导出隔离甲科技有限公司");
        var export = await RequestExportAsync(owner);
        Assert.True(await BuildAsync(export.Id));
        var (stranger, _) = await factory.VerifiedTenantAsync("导出隔离乙科技有限公司");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.GetAsync($"/api/tenant/data-exports/{export.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.GetAsync($"/api/tenant/data-exports/{export.Id}/download")).StatusCode);
        Assert.DoesNotContain(await stranger.GetJsonAsync<List<ExportDto>>("/api/tenant/data-exports"), e => e.Id == export.Id);

        foreach (var role in new[] { "Admin", "Finance", "Developer" })
        {
            var member = await factory.InviteMemberAsync(owner, role);
            Assert.Equal(HttpStatusCode.Forbidden, (await member.Http.PostAsync("/api/tenant/data-exports", null)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await member.Http.GetAsync($"/api/tenant/data-exports/{export.Id}/download")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await member.PostJsonAsync("/api/tenant/closure", new { password = member.Password })).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync($"/api/tenant/data-exports/{export.Id}/download")).StatusCode);
    }

    [Fact]
    public async Task Download_expires_after_seven_days_and_the_job_deletes_the_file()
    {
        var (owner, _) = await factory.VerifiedTenantAsync("导出过期科技有限公司");
        var export = await RequestExportAsync(owner);
        Assert.Equal(HttpStatusCode.Conflict, (await owner.Http.PostAsync("/api/tenant/data-exports", null)).StatusCode); // one at a time
        Assert.True(await BuildAsync(export.Id));
        string fileKey;
        await using (var db = await factory.DbAsync())
            fileKey = (await db.Set<TenantDataExport>().IgnoreTenantFilter().SingleAsync(e => e.Id == export.Id)).FileKey!;
        Assert.True(File.Exists(Path.Combine(factory.StoragePath, fileKey)) || Directory.EnumerateFiles(factory.StoragePath, "*", SearchOption.AllDirectories).Any(f => f.EndsWith(fileKey, StringComparison.Ordinal)));

        factory.Clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        await SignInAgainAsync(owner);
        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync($"/api/tenant/data-exports/{export.Id}/download")).StatusCode);
        factory.Clock.Advance(TimeSpan.FromMinutes(2));
        await SignInAgainAsync(owner);
        Assert.Equal(HttpStatusCode.Gone, (await owner.Http.GetAsync($"/api/tenant/data-exports/{export.Id}/download")).StatusCode);
        Assert.Null((await owner.GetJsonAsync<ExportDto>($"/api/tenant/data-exports/{export.Id}")).DownloadUrl);

        await using (var scope = factory.Scope())
        {
            var job = scope.ServiceProvider.GetRequiredService<ExpireDataExportsJob>();
            Assert.True(await job.RunAsync(CancellationToken.None) >= 1);
            Assert.Equal(0, await job.RunAsync(CancellationToken.None));
        }

        Assert.DoesNotContain(Directory.EnumerateFiles(factory.StoragePath, "*", SearchOption.AllDirectories), f => f.EndsWith(fileKey, StringComparison.Ordinal));
        Assert.Equal(DataExportStatus.Expired, (await owner.GetJsonAsync<ExportDto>($"/api/tenant/data-exports/{export.Id}")).Status);
        Assert.Equal(HttpStatusCode.Gone, (await owner.Http.GetAsync($"/api/tenant/data-exports/{export.Id}/download")).StatusCode);
        // A new export may be requested once the old one is done.
        Assert.Equal(HttpStatusCode.Accepted, (await owner.Http.PostAsync("/api/tenant/data-exports", null)).StatusCode);
    }

    [Fact]
    public async Task Closure_is_refused_with_a_wrong_password_while_money_is_held_and_while_an_invoice_is_pending()
    {
        var (held, heldTenant) = await factory.VerifiedTenantAsync("注销拒绝甲科技有限公司");
        Assert.True((await factory.AdjustAsync(heldTenant, Money.FromYuan(100))).IsSuccess);
        var wrong = await held.PostJsonAsync("/api/tenant/closure", new { password = "not-the-password" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("Password", await wrong.Content.ReadAsStringAsync());

        Assert.True(await factory.HoldLikeRelayAsync(heldTenant, Money.FromYuan(10)));
        await AssertRefusedAsync(held, "Closure.MoneyHeld");
        Assert.False((await held.GetJsonAsync<JsonElement>("/api/tenant/closure/check")).GetProperty("canClose").GetBoolean());
        await factory.SettleRelayHoldAsync(heldTenant, Money.FromYuan(10), Money.FromYuan(1));

        var topUp = await held.StartTopUpAsync("50");
        await AssertRefusedAsync(held, "Closure.MoneyHeld");
        Assert.Equal(HttpStatusCode.OK, (await held.Http.PostAsync($"/api/tenant/top-ups/{topUp.Id}/cancel", null)).StatusCode);
        await held.RequestRefundAsync("10");
        await AssertRefusedAsync(held, "Closure.MoneyHeld");

        var (invoiced, invoicedTenant) = await InvoiceArrange.PaidTenantAsync(factory, "注销拒绝乙科技有限公司", "1000");
        await InvoiceArrange.RequestOkAsync(invoiced, "100");
        await AssertRefusedAsync(invoiced, "Closure.InvoicesPending");

        await using var db = await factory.DbAsync();
        Assert.False(await db.Set<AccountClosure>().AnyAsync(c => c.TenantId == heldTenant || c.TenantId == invoicedTenant));
        Assert.Equal(2, await db.Memberships.IgnoreTenantFilter().CountAsync(m => m.TenantId == heldTenant || m.TenantId == invoicedTenant));
        await factory.AssertLedgerInvariantAsync(heldTenant);
    }

    [Fact]
    public async Task Closure_revokes_keys_refunds_the_balance_deletes_personal_data_keeps_financial_records_and_its_certificate_verifies()
    {
        var (owner, tenantId) = await InvoiceArrange.PaidTenantAsync(factory, "注销完成科技有限公司", "1000");
        var member = await factory.InviteMemberAsync(owner, "Developer");
        var (secret, keyId) = await factory.KeyAsync(tenantId);
        var usage = UsageHelpers.Record(tenantId, keyId, factory.Clock.GetUtcNow(), cost: 151_234_567);
        usage.ClientIp = "198.51.100.7";
        await factory.RecordUsageAsync([usage]);
        var invoice = await InvoiceArrange.RequestOkAsync(owner, "100");
        Assert.True((await InvoiceArrange.IssueAsync(factory, invoice.Id)).IsSuccess);
        var ledgerBefore = await factory.LedgerAsync(tenantId);
        string[] documentKeys;
        await using (var db = await factory.DbAsync())
            documentKeys = await db.KycDocuments.IgnoreTenantFilter().Where(d => d.TenantId == tenantId).Select(d => d.StorageKey).ToArrayAsync();
        Assert.NotEmpty(documentKeys);
        using var relayClient = factory.CreateClient();
        relayClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(HttpStatusCode.OK, (await relayClient.GetAsync("/v1/models")).StatusCode);

        var response = await owner.PostJsonAsync("/api/tenant/closure", new { password = owner.Password });
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var closed = (await response.Content.ReadFromJsonAsync<ClosureDto>(PortalClient.Json))!;
        // ¥1,000 − ¥151.234567 of usage: the whole fen (¥848.76) is refunded, under a fen stays in the books.
        Assert.Equal("848.76", closed.Refund);

        Assert.Equal(HttpStatusCode.Unauthorized, (await relayClient.GetAsync("/v1/models")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await owner.Http.GetAsync("/api/tenant/data-exports")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await member.Http.GetAsync("/api/tenant/wallet")).StatusCode);

        await using (var db = await factory.DbAsync())
        {
            Assert.All(await db.ApiKeys.IgnoreTenantFilter().Where(k => k.TenantId == tenantId).ToListAsync(), k => Assert.Equal(ApiKeyStatus.Revoked, k.Status));
            var refund = await db.RefundRequests.IgnoreTenantFilter().SingleAsync(r => r.Id == closed.RefundId);
            Assert.Equal((RefundStatus.Requested, Money.FromFen(84_876).MicroYuan), (refund.Status, refund.AmountMicroYuan));
            Assert.Empty(await db.Memberships.IgnoreTenantFilter().Where(m => m.TenantId == tenantId).ToListAsync());
            Assert.False(await db.Users.AnyAsync(u => u.Email == owner.Email || u.Email == member.Email));
            Assert.Empty(await db.KycDocuments.IgnoreTenantFilter().Where(d => d.TenantId == tenantId).ToListAsync());
            var submission = await db.KycSubmissions.IgnoreTenantFilter().SingleAsync(s => s.TenantId == tenantId);
            Assert.Equal((null, null, "注销完成科技有限公司"), (submission.ContactMobile, submission.LegalRepresentative, submission.CompanyName));
            Assert.Empty(await db.InvoiceProfiles.IgnoreTenantFilter().Where(p => p.TenantId == tenantId).ToListAsync());
            // Financial records and the append-only audit log are kept whole.
            Assert.Equal("198.51.100.7", (await db.UsageRecords.IgnoreTenantFilter().SingleAsync(u => u.Id == usage.Id)).ClientIp);
            Assert.Contains("data.account_closed", await db.AuditEntries.IgnoreTenantFilter().Where(e => e.TenantId == tenantId).Select(e => e.Action).ToListAsync());
            Assert.Equal(ledgerBefore.Select(e => e.Id).Order(), (await factory.LedgerAsync(tenantId)).Select(e => e.Id).Order());
            Assert.Equal(InvoiceStatus.Issued, (await db.Invoices.IgnoreTenantFilter().SingleAsync(i => i.Id == invoice.Id)).Status);
            var closure = await db.Set<AccountClosure>().SingleAsync(c => c.TenantId == tenantId);
            Assert.Equal(factory.Clock.GetUtcNow().AddYears(30), closure.AccountingRetainedUntil, TimeSpan.FromMilliseconds(1));
            Assert.Equal(factory.Clock.GetUtcNow().AddYears(10), closure.StatementsRetainedUntil, TimeSpan.FromMilliseconds(1));
        }

        Assert.All(documentKeys, key => Assert.DoesNotContain(Directory.EnumerateFiles(factory.StoragePath, "*", SearchOption.AllDirectories), f => f.EndsWith(key, StringComparison.Ordinal)));

        // Anyone can verify the certificate at its link; the PDF names the account and its own verification link.
        var anonymous = new PortalClient(factory);
        var page = WebUtility.HtmlDecode(await anonymous.Http.GetStringAsync(new Uri(closed.VerificationUrl).PathAndQuery));
        Assert.Contains("注销完成科技有限公司", page);
        Assert.Contains("data-testid=\"closure-valid\"", page);
        var pdf = await anonymous.Http.GetByteArrayAsync(closed.CertificateUrl);
        Assert.Contains(Convert.ToHexStringLower(SHA256.HashData(pdf)), page);
        using (var document = PdfDocument.Open(pdf))
        {
            var text = string.Concat(document.GetPages().Select(p => p.Text));
            Assert.Contains(DeletionCertificatePdf.Title, text);
            Assert.Contains("注销完成科技有限公司", text);
            Assert.Contains("¥848.76", text);
        }

        Assert.Contains("data-testid=\"closure-unknown\"", await anonymous.Http.GetStringAsync("/closures/verify/AAAAAAAAAAAAAAAAAAAAAA"));
        Assert.Contains("data-testid=\"closure-unknown\"", await anonymous.Http.GetStringAsync("/closures/verify/short"));
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.Http.GetAsync("/closures/verify/AAAAAAAAAAAAAAAAAAAAAA/certificate.pdf")).StatusCode);

        // Finance pays the refund as any other: the wallet keeps only what is under a fen.
        var approved = await factory.ApproveRefundAsync(closed.RefundId!.Value);
        Assert.True(approved.IsSuccess, approved.Error?.Message);
        foreach (var part in approved.Value!.Allocations.Where(p => p.Kind == RefundAllocationKind.Bank))
            Assert.True((await factory.PayRefundPartByBankAsync(part.Id, "OUT-CLOSE-" + part.Position)).IsSuccess);
        Assert.Equal((Money.FromYuan(1000).MicroYuan - 151_234_567 - Money.FromFen(84_876).MicroYuan, 0L), (await factory.WalletRowAsync(tenantId)).BalanceAndReserved());
        await factory.AssertUsageInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Closure_racing_with_top_ups_and_relay_requests_keeps_the_ledger_invariant()
    {
        var (owner, tenantId) = await factory.VerifiedTenantAsync("注销并发科技有限公司");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(200))).IsSuccess);
        for (var i = 0; i < 3; i++) await owner.PayQrAsync(await owner.StartTopUpAsync("10"));

        var holds = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            if (!await factory.HoldLikeRelayAsync(tenantId, Money.FromYuan(5))) return false;
            await factory.SettleRelayHoldAsync(tenantId, Money.FromYuan(5), Money.FromYuan(2));
            return true;
        })).ToList();
        var notifications = Task.Run(() => factory.DeliverNotificationsAsync());
        var closures = Enumerable.Range(0, 3).Select(_ => Task.Run(() => owner.PostJsonAsync("/api/tenant/closure", new { password = owner.Password }))).ToList();
        await Task.WhenAll(holds.Cast<Task>().Append(notifications).Concat(closures));
        // Whatever was refused is retried once everything has settled: the account then closes.
        await factory.DeliverNotificationsAsync();
        var statuses = closures.Select(c => c.Result.StatusCode).ToList();
        var bodies = string.Join(" | ", await Task.WhenAll(closures.Select(c => c.Result.Content.ReadAsStringAsync())));
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) <= 1, bodies);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.Conflict, bodies));
        if (!statuses.Contains(HttpStatusCode.OK))
        {
            var retry = await owner.PostJsonAsync("/api/tenant/closure", new { password = owner.Password });
            Assert.True(retry.StatusCode == HttpStatusCode.OK, await retry.Content.ReadAsStringAsync());
        }

        await using var db = await factory.DbAsync();
        var wallet = await db.Wallets.IgnoreTenantFilter().SingleAsync(w => w.TenantId == tenantId);
        var refund = await db.RefundRequests.IgnoreTenantFilter().SingleAsync(r => r.TenantId == tenantId);
        Assert.Single(await db.Set<AccountClosure>().Where(c => c.TenantId == tenantId).ToListAsync());
        // Nothing is held but the refund, the refund is all the cash there was at closure, and the books balance.
        Assert.Equal(refund.HeldMicroYuan, wallet.ReservedMicroYuan);
        Assert.True(refund.AmountMicroYuan <= wallet.BalanceMicroYuan);
        // Once closed nothing moves the cash: no top-up was pending and every relay hold is refused, so all but sub-fen is refunded.
        Assert.InRange(wallet.BalanceMicroYuan - refund.AmountMicroYuan, 0, Money.MicroPerFen - 1);
        Assert.All(await db.TopUpOrders.IgnoreTenantFilter().Where(o => o.TenantId == tenantId).ToListAsync(), o => Assert.Equal(Portal.Core.Features.Payments.TopUpStatus.Paid, o.Status));
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    /// <summary>The sign-in cookie expires as the test clock moves on: sign in again as a person would.</summary>
    private static async Task SignInAgainAsync(PortalClient client) => Assert.Equal(HttpStatusCode.Redirect, (await client.LoginAsync()).StatusCode);

    private static async Task AssertRefusedAsync(PortalClient owner, string code)
    {
        var response = await owner.PostJsonAsync("/api/tenant/closure", new { password = owner.Password });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, body);
        Assert.Contains(code, body);
    }

    private static async Task<ExportDto> RequestExportAsync(PortalClient owner)
    {
        var response = await owner.Http.PostAsync("/api/tenant/data-exports", null);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ExportDto>(PortalClient.Json))!;
    }

    private async Task<bool> BuildAsync(Guid exportId)
    {
        await using var scope = factory.Scope();
        return await scope.ServiceProvider.GetRequiredService<BuildDataExportJob>().RunAsync(exportId, CancellationToken.None);
    }

    private static byte[] Read(ZipArchive zip, string path)
    {
        using var stream = zip.GetEntry(path)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

public sealed class DataRightsTestsOnPostgres(PostgresPortalFactory factory) : DataRightsTests<PostgresPortalFactory>(factory);

public sealed class DataRightsTestsOnSqlite(SqlitePortalFactory factory) : DataRightsTests<SqlitePortalFactory>(factory);
