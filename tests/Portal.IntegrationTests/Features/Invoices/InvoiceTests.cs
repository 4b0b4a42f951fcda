using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Invoices;
using Portal.Core.Features.Notifications;
using Portal.Core.Features.Wallet;
using Portal.IntegrationTests.Features.Kyc;
using Portal.IntegrationTests.Infrastructure;
using UglyToad.PdfPig;

namespace Portal.IntegrationTests.Features.Invoices;

public abstract partial class InvoiceTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Fact]
    public async Task Profile_is_prefilled_from_the_verification_and_must_match_it()
    {
        const string company = "开票资料科技有限公司";
        var (client, tenantId) = await factory.VerifiedTenantAsync(company);
        var code = await InvoiceArrange.CreditCodeAsync(factory, tenantId);

        var state = await client.GetJsonAsync<ProfileStateDto>("/api/tenant/invoice-profile");
        Assert.False(state.Saved);
        Assert.Equal(company, state.Profile.Title);
        Assert.Equal(code, state.Profile.TaxpayerId);
        Assert.Equal("上海市浦东新区世纪大道100号", state.Profile.Address);
        Assert.Equal(client.Email, state.Profile.Email);

        var wrongTitle = await client.PutJsonAsync("/api/tenant/invoice-profile", state.Profile with { Title = "别的公司" });
        Assert.Equal(HttpStatusCode.BadRequest, wrongTitle.StatusCode);
        Assert.Contains("Title", await wrongTitle.Content.ReadAsStringAsync());
        var wrongCode = await client.PutJsonAsync("/api/tenant/invoice-profile", state.Profile with { TaxpayerId = "91310000MA1FL0000X" });
        Assert.Equal(HttpStatusCode.BadRequest, wrongCode.StatusCode);
        Assert.Contains("TaxpayerId", await wrongCode.Content.ReadAsStringAsync());
        var halfBank = await client.PutJsonAsync("/api/tenant/invoice-profile", state.Profile with { BankName = "招商银行" });
        Assert.Equal(HttpStatusCode.BadRequest, halfBank.StatusCode);

        var saved = await client.PutJsonAsync("/api/tenant/invoice-profile", state.Profile with { TaxpayerId = code.ToLowerInvariant(), Email = "finance@example.test" });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var after = await client.GetJsonAsync<ProfileStateDto>("/api/tenant/invoice-profile");
        Assert.True(after.Saved && after.Matches);
        Assert.Equal(code, after.Profile.TaxpayerId);
        Assert.Equal("finance@example.test", after.Profile.Email);
    }

    [Fact]
    public async Task Invoiceable_is_paid_top_ups_minus_refunds_minus_invoices_and_ignores_adjustments_and_plans()
    {
        var (client, tenantId) = await InvoiceArrange.PaidTenantAsync(factory, "可开票额科技有限公司", "1000");
        Assert.True((await factory.AdjustAsync(tenantId, Money.FromYuan(500))).IsSuccess);
        await InvoiceArrange.PostAsync(factory, tenantId, LedgerEntryKind.Refund, -Money.FromYuan(100));
        await InvoiceArrange.PostAsync(factory, tenantId, LedgerEntryKind.PlanPurchase, -Money.FromYuan(50));

        var before = (await InvoiceArrange.InvoicesAsync(client)).Invoiceable;
        Assert.Equal(new InvoiceableDto("1000.00", "100.00", "0.00", "0.00", "900.00"), before);

        var requested = await InvoiceArrange.RequestOkAsync(client, "300");
        Assert.Equal("600.00", (await InvoiceArrange.InvoicesAsync(client)).Invoiceable.Invoiceable);
        Assert.True((await InvoiceArrange.IssueAsync(factory, requested.Id)).IsSuccess);
        var after = (await InvoiceArrange.InvoicesAsync(client)).Invoiceable;
        Assert.Equal(new InvoiceableDto("1000.00", "100.00", "300.00", "0.00", "600.00"), after);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Request_stores_the_split_once_and_refuses_more_than_is_invoiceable()
    {
        var (client, _) = await InvoiceArrange.PaidTenantAsync(factory, "价税分离科技有限公司", "1000");

        var tooMuch = await InvoiceArrange.RequestAsync(client, "1000.01");
        Assert.Equal(HttpStatusCode.Conflict, tooMuch.StatusCode);
        Assert.Contains(InvoiceErrors.ExceedsInvoiceable.Code, await tooMuch.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await InvoiceArrange.RequestAsync(client, "10.001")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await InvoiceArrange.RequestAsync(client, "0")).StatusCode);

        var invoice = await InvoiceArrange.RequestOkAsync(client, "333.33");
        Assert.Equal(InvoiceStatus.Pending, invoice.Status);
        Assert.Equal(("333.33", "314.46", "18.87", "6%"), (invoice.Amount, invoice.Net, invoice.Tax, invoice.TaxRate));
        var rest = await InvoiceArrange.RequestOkAsync(client, "666.67");
        Assert.Equal(("628.93", "37.74"), (rest.Net, rest.Tax));
        Assert.Equal("0.00", (await InvoiceArrange.InvoicesAsync(client)).Invoiceable.Invoiceable);
        Assert.Equal(HttpStatusCode.Conflict, (await InvoiceArrange.RequestAsync(client, "0.01")).StatusCode);

        // Withdrawing a request gives its amount back.
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostJsonAsync($"/api/tenant/invoices/{invoice.Id}/cancel", new { })).StatusCode);
        Assert.Equal(InvoiceStatus.Cancelled, (await InvoiceArrange.InvoiceAsync(client, invoice.Id)).Status);
        Assert.Equal("333.33", (await InvoiceArrange.InvoicesAsync(client)).Invoiceable.Invoiceable);
        Assert.Equal(InvoiceErrors.NotPending, (await InvoiceArrange.IssueAsync(factory, invoice.Id)).Error);
    }

    [Fact]
    public async Task Request_needs_verification_a_profile_and_the_owner_or_finance_role()
    {
        var unverified = await PortalClient.SignUpAsync(factory, "未认证开票科技有限公司");
        var refused = await InvoiceArrange.RequestAsync(unverified, "100");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("Kyc.NotVerified", await refused.Content.ReadAsStringAsync());

        var (owner, _) = await factory.VerifiedTenantAsync("无开票资料科技有限公司");
        await InvoiceArrange.TopUpByBankAsync(factory, owner, "1000");
        var noProfile = await InvoiceArrange.RequestAsync(owner, "100");
        Assert.Contains(InvoiceErrors.NoProfile.Code, await noProfile.Content.ReadAsStringAsync());

        var developer = await KycArrange.InviteAsync(factory, owner, "Developer");
        Assert.Equal(HttpStatusCode.Forbidden, (await InvoiceArrange.RequestAsync(developer, "100")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await developer.Http.GetAsync("/api/tenant/invoices")).StatusCode);
        var admin = await KycArrange.InviteAsync(factory, owner, "Admin");
        Assert.Equal(HttpStatusCode.Forbidden, (await InvoiceArrange.RequestAsync(admin, "100")).StatusCode);
    }

    [Fact]
    public async Task Special_invoice_needs_a_complete_profile()
    {
        var (client, _) = await InvoiceArrange.PaidTenantAsync(factory, "专票资料科技有限公司", "2000");
        var refused = await InvoiceArrange.RequestAsync(client, "100", InvoiceType.Special);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains(InvoiceErrors.SpecialNeedsCompleteProfile.Code, await refused.Content.ReadAsStringAsync());

        var profile = (await client.GetJsonAsync<ProfileStateDto>("/api/tenant/invoice-profile")).Profile;
        Assert.Equal(HttpStatusCode.OK, (await client.PutJsonAsync("/api/tenant/invoice-profile", profile with { BankName = "招商银行上海分行", BankAccount = "6222 0200 0000 0001" })).StatusCode);
        var special = await InvoiceArrange.RequestOkAsync(client, "100", InvoiceType.Special);
        Assert.Equal(InvoiceType.Special, special.Type);
        var issued = await InvoiceArrange.IssueAsync(factory, special.Id);
        Assert.True(issued.IsSuccess, issued.Error?.Message);
        Assert.Equal("6222020000000001", issued.Value!.BuyerBankAccount);
        Assert.Contains("增值税专用发票", await PdfTextAsync(client, special.Id));
    }

    [Fact]
    public async Task Concurrent_requests_never_invoice_more_than_was_paid()
    {
        var (client, tenantId) = await InvoiceArrange.PaidTenantAsync(factory, "并发开票科技有限公司", "1000");

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(() => InvoiceArrange.RequestAsync(client, "300"))));

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var state = await InvoiceArrange.InvoicesAsync(client);
        Assert.Equal("900.00", state.Invoiceable.Pending);
        Assert.Equal("100.00", state.Invoiceable.Invoiceable);
        Assert.Equal(3, state.Invoices.Count);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }

    [Fact]
    public async Task Issuing_numbers_invoices_in_sequence_without_gaps_even_when_finance_issues_at_once()
    {
        var (first, _) = await InvoiceArrange.PaidTenantAsync(factory, "连号甲科技有限公司", "1000");
        var (second, _) = await InvoiceArrange.PaidTenantAsync(factory, "连号乙科技有限公司", "1000");
        var requested = new List<InvoiceDto>();
        foreach (var client in new[] { first, second })
            for (var i = 0; i < 3; i++) requested.Add(await InvoiceArrange.RequestOkAsync(client, "100"));
        var year = ChinaTime.ToChina(factory.Clock.GetUtcNow()).Year;
        long before;
        await using (var db = await factory.DbAsync())
            before = await db.InvoiceNumberCounters.Where(c => c.Year == year).Select(c => (long?)c.LastNumber).FirstOrDefaultAsync() ?? 0;

        // Every invoice is issued twice at once (two finance users, a double click): one number each.
        var results = await Task.WhenAll(requested.Concat(requested).Select(r => Task.Run(() => InvoiceArrange.IssueAsync(factory, r.Id))));

        Assert.Equal(6, results.Count(r => r.IsSuccess));
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal(InvoiceErrors.NotPending, r.Error));
        var numbers = new List<string>();
        foreach (var r in requested) numbers.Add((await InvoiceArrange.StoredAsync(factory, r.Id)).Number!);
        var expected = Enumerable.Range(1, 6).Select(n => $"{year}{before + n:00000000}").ToList();
        Assert.Equal(expected, numbers.Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task Issued_pdf_carries_buyer_amounts_and_uppercase_as_text_in_a_subset_font_and_is_emailed()
    {
        const string company = "发票正文科技有限公司";
        var (client, tenantId) = await InvoiceArrange.PaidTenantAsync(factory, company, "2000");
        var code = await InvoiceArrange.CreditCodeAsync(factory, tenantId);
        var requested = await InvoiceArrange.RequestOkAsync(client, "1060");
        var issued = await InvoiceArrange.IssueAsync(factory, requested.Id);
        Assert.True(issued.IsSuccess, issued.Error?.Message);
        var invoice = issued.Value!;

        var response = await client.Http.GetAsync(requested.PdfUrl ?? $"/api/invoices/{requested.Id}/pdf");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        var pdf = await response.Content.ReadAsByteArrayAsync();
        Assert.InRange(pdf.Length, 1, 1_000_000 / 2);
        using (var document = PdfDocument.Open(pdf))
        {
            var text = string.Concat(document.GetPages().Select(p => p.Text));
            Assert.Contains(company, text);
            Assert.Contains(code, text);
            Assert.Contains(invoice.Number!, text);
            Assert.Contains("测试平台科技有限公司", text);
            Assert.Contains("¥1,000.00", text);
            Assert.Contains("¥60.00", text);
            Assert.Contains("¥1,060.00", text);
            Assert.Contains("壹仟零陆拾元整", text);
            Assert.Contains("*信息技术服务*API调用服务费", text);
            Assert.Contains("/invoices/verify/" + invoice.VerificationCode, text);
            Assert.All(document.GetPage(1).Letters.Select(l => l.FontName).Distinct(), name => Assert.Matches("^[A-Z]{6}\\+", name));
        }

        await using var db = await factory.DbAsync();
        var mail = await db.OutboxMessages.SingleAsync(m => m.Kind == "InvoiceIssued" && m.To == client.Email && m.AttachmentFileKey == invoice.PdfFileKey);
        Assert.Equal($"发票-{invoice.Number}.pdf", mail.AttachmentName);
        Assert.Contains(invoice.Number!, mail.Subject);
        Assert.True(await db.AuditEntries.IgnoreTenantFilter().AnyAsync(a => a.TenantId == tenantId && a.Action == "invoices.issued"));
    }

    [Fact]
    public async Task Void_restores_the_invoiceable_amount_keeps_the_pdf_and_stamps_the_copy()
    {
        var (client, tenantId) = await InvoiceArrange.PaidTenantAsync(factory, "作废发票科技有限公司", "1000");
        var requested = await InvoiceArrange.RequestOkAsync(client, "1000");
        var issued = (await InvoiceArrange.IssueAsync(factory, requested.Id)).Value!;
        Assert.Equal("0.00", (await InvoiceArrange.InvoicesAsync(client)).Invoiceable.Invoiceable);
        Assert.Equal("Invoice.NotFound", (await InvoiceArrange.VoidAsync(factory, Guid.NewGuid(), "x")).Error!.Code);
        Assert.False((await InvoiceArrange.VoidAsync(factory, requested.Id, " ")).IsSuccess);

        var voided = await InvoiceArrange.VoidAsync(factory, requested.Id, "购买方名称有误");
        Assert.True(voided.IsSuccess, voided.Error?.Message);
        Assert.Equal(InvoiceErrors.NotIssued, (await InvoiceArrange.VoidAsync(factory, requested.Id, "again")).Error);

        var state = await InvoiceArrange.InvoicesAsync(client);
        Assert.Equal("1000.00", state.Invoiceable.Invoiceable);
        Assert.Equal(InvoiceStatus.Voided, state.Invoices.Single().Status);
        Assert.True(File.Exists(Path.Combine(factory.StoragePath, issued.PdfFileKey!)), "the issued PDF is kept");
        var text = await PdfTextAsync(client, requested.Id);
        Assert.Contains("作废", text);
        Assert.Contains("购买方名称有误", text);
        Assert.Contains(issued.Number!, text);

        // The amount can be invoiced again and gets a new number.
        var again = await InvoiceArrange.RequestOkAsync(client, "1000");
        var reissued = (await InvoiceArrange.IssueAsync(factory, again.Id)).Value!;
        Assert.NotEqual(issued.Number, reissued.Number);
        await using var db = await factory.DbAsync();
        Assert.True(await db.AuditEntries.IgnoreTenantFilter().AnyAsync(a => a.TenantId == tenantId && a.Action == "invoices.voided"));
        Assert.True(await db.OutboxMessages.AnyAsync(m => m.Kind == "InvoiceVoided" && m.To == client.Email));
    }

    [Fact]
    public async Task Reject_restores_the_invoiceable_amount_and_tells_the_tenant_why()
    {
        var (client, tenantId) = await InvoiceArrange.PaidTenantAsync(factory, "驳回发票科技有限公司", "1000");
        var requested = await InvoiceArrange.RequestOkAsync(client, "400");
        Assert.False((await InvoiceArrange.RejectAsync(factory, requested.Id, "")).IsSuccess);

        var rejected = await InvoiceArrange.RejectAsync(factory, requested.Id, "请改开专票");
        Assert.True(rejected.IsSuccess, rejected.Error?.Message);
        Assert.Equal(InvoiceErrors.NotPending, (await InvoiceArrange.IssueAsync(factory, requested.Id)).Error);

        var state = await InvoiceArrange.InvoicesAsync(client);
        Assert.Equal("1000.00", state.Invoiceable.Invoiceable);
        var row = state.Invoices.Single();
        Assert.Equal((InvoiceStatus.Rejected, "请改开专票", (string?)null), (row.Status, row.RejectionReason, row.PdfUrl));
        await using var db = await factory.DbAsync();
        Assert.True(await db.OutboxMessages.AnyAsync(m => m.Kind == "InvoiceRejected" && m.To == client.Email && m.TextBody.Contains("请改开专票")));
        Assert.True(await db.AuditEntries.IgnoreTenantFilter().AnyAsync(a => a.TenantId == tenantId && a.Action == "invoices.rejected"));
    }

    [Fact]
    public async Task Pdf_is_served_to_owner_and_finance_but_404_for_a_developer_and_another_tenant()
    {
        var (owner, _) = await InvoiceArrange.PaidTenantAsync(factory, "下载权限科技有限公司", "1000");
        var requested = await InvoiceArrange.RequestOkAsync(owner, "100");
        Assert.True((await InvoiceArrange.IssueAsync(factory, requested.Id)).IsSuccess);
        var url = $"/api/invoices/{requested.Id}/pdf";
        var finance = await KycArrange.InviteAsync(factory, owner, "Finance");
        var developer = await KycArrange.InviteAsync(factory, owner, "Developer");
        var (stranger, _) = await factory.VerifiedTenantAsync("别家开票科技有限公司");

        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await finance.Http.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await developer.Http.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync($"/api/invoices/{Guid.NewGuid()}/pdf")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await new PortalClient(factory).Http.GetAsync(url)).StatusCode);
        // Finance members also request invoices; the stranger's list does not show the other tenant's invoice.
        Assert.Equal(HttpStatusCode.Created, (await InvoiceArrange.RequestAsync(finance, "100")).StatusCode);
        Assert.Empty((await InvoiceArrange.InvoicesAsync(stranger)).Invoices);
    }

    [Fact]
    public async Task Verification_page_shows_the_facts_of_a_real_code_and_nothing_for_a_guess()
    {
        const string company = "查验页面科技有限公司";
        var (client, _) = await InvoiceArrange.PaidTenantAsync(factory, company, "1000");
        var requested = await InvoiceArrange.RequestOkAsync(client, "88.80");
        var invoice = (await InvoiceArrange.IssueAsync(factory, requested.Id)).Value!;
        using var anonymous = factory.CreateClient();

        var page = WebUtility.HtmlDecode(await anonymous.GetStringAsync($"/invoices/verify/{invoice.VerificationCode}"));
        Assert.Contains(invoice.Number!, page);
        Assert.Contains(company, page);
        Assert.Contains("测试平台科技有限公司", page);
        Assert.Contains("¥88.80", page);
        Assert.Contains("data-testid=\"verify-valid\"", page);
        Assert.DoesNotContain(invoice.BuyerTaxpayerId, page);

        var guess = await anonymous.GetAsync($"/invoices/verify/{VerificationCodes.New()}");
        var malformed = await anonymous.GetAsync("/invoices/verify/12345");
        Assert.Equal(guess.StatusCode, malformed.StatusCode);
        var guessPage = await guess.Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"verify-unknown\"", guessPage);
        Assert.DoesNotContain(invoice.Number!, guessPage);
        Assert.NotEmpty(Card(guessPage));
        Assert.Equal(Card(guessPage), Card(await malformed.Content.ReadAsStringAsync()));

        Assert.True((await InvoiceArrange.VoidAsync(factory, requested.Id, "重复开具")).IsSuccess);
        var voided = await anonymous.GetStringAsync($"/invoices/verify/{invoice.VerificationCode}");
        Assert.Contains("data-testid=\"verify-void\"", voided);
    }

    [Fact]
    public async Task Monthly_export_zips_every_pdf_issued_in_the_month_and_lists_them_in_csv()
    {
        var (client, _) = await InvoiceArrange.PaidTenantAsync(factory, "月度归档科技有限公司", "1000");
        var issued = new List<Invoice>();
        foreach (var amount in new[] { "100", "200" })
            issued.Add((await InvoiceArrange.IssueAsync(factory, (await InvoiceArrange.RequestOkAsync(client, amount)).Id)).Value!);
        Assert.True((await InvoiceArrange.VoidAsync(factory, issued[1].Id, "金额有误")).IsSuccess);
        var (year, month) = StatementMonths.Of(factory.Clock.GetUtcNow());

        await using var scope = await factory.OperatorScopeAsync();
        var queries = scope.ServiceProvider.GetRequiredService<InvoiceQueries>();
        var zipBytes = (await queries.ExportZipAsync(year, month)).Value!;
        using var zip = new ZipArchive(new MemoryStream(zipBytes));
        Assert.Contains($"发票-{issued[0].Number}.pdf", zip.Entries.Select(e => e.FullName));
        Assert.Contains($"发票-{issued[1].Number}-作废.pdf", zip.Entries.Select(e => e.FullName));
        var csv = (await queries.ExportCsvAsync(year, month)).Value!;
        Assert.Equal(Encoding.UTF8.GetPreamble(), csv.Take(3));
        var lines = Encoding.UTF8.GetString(csv).Split('\n');
        Assert.StartsWith("\uFEFF发票号码,开票日期", lines[0]);
        Assert.Contains(lines, l => l.StartsWith(issued[0].Number!, StringComparison.Ordinal) && l.Contains("月度归档科技有限公司") && l.Contains(",94.34,6%,5.66,100.00,"));
        Assert.Contains(lines, l => l.StartsWith(issued[1].Number!, StringComparison.Ordinal) && l.Contains("作废") && l.Contains("金额有误"));
        Assert.Empty(new ZipArchive(new MemoryStream((await queries.ExportZipAsync(year - 1, month)).Value!)).Entries);

        // A tenant member has no finance role.
        await using var tenantScope = factory.Scope();
        Assert.Equal("Auth.Forbidden", (await tenantScope.ServiceProvider.GetRequiredService<InvoiceQueries>().ExportCsvAsync(year, month)).Error!.Code);
    }

    [Fact]
    public async Task Issued_invoice_is_sent_with_its_pdf_attached()
    {
        await using var smtp = new FakeSmtpServer();
        using var withSmtp = factory.WithWebHostBuilder(b => b
            .UseSetting("Smtp:Host", "127.0.0.1")
            .UseSetting("Smtp:Port", smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .UseSetting("Smtp:UseStartTls", "false"));
        var (client, _) = await InvoiceArrange.PaidTenantAsync(factory, "邮件附件科技有限公司", "1000");
        var requested = await InvoiceArrange.RequestOkAsync(client, "100");
        Invoice invoice;
        await using (var scope = withSmtp.Services.CreateAsyncScope())
        {
            var admin = await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Portal.Core.Features.Accounts.PortalUser>>().FindByEmailAsync(PortalFactory.AdminEmail);
            scope.ServiceProvider.GetRequiredService<Portal.Core.Features.Accounts.CurrentUser>()
                .Use(Portal.Core.Features.Accounts.CurrentUser.For(admin!.Id, admin.Email!, null, Portal.Core.Features.Accounts.OperatorRoles.PlatformFinance));
            invoice = (await scope.ServiceProvider.GetRequiredService<IssueInvoice.Handler>().HandleAsync(new IssueInvoice.Command(requested.Id))).Value!;
        }

        await using (var scope = withSmtp.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<SendOutboxJob>().RunAsync(CancellationToken.None);

        var message = Assert.Single(smtp.Messages, m => m.Contains(client.Email, StringComparison.Ordinal));
        Assert.Contains("Content-Type: application/pdf", message);
        Assert.Contains("Content-Disposition: attachment", message);
        var attached = Convert.FromBase64String(PdfPart(message));
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(factory.StoragePath, invoice.PdfFileKey!)), attached);
        await using var db = await factory.DbAsync();
        Assert.Equal(OutboxStatus.Sent, (await db.OutboxMessages.SingleAsync(m => m.Kind == "InvoiceIssued" && m.To == client.Email)).Status);
    }

    private static async Task<string> PdfTextAsync(PortalClient client, Guid invoiceId)
    {
        var pdf = await client.Http.GetByteArrayAsync($"/api/invoices/{invoiceId}/pdf");
        using var document = PdfDocument.Open(pdf);
        return string.Concat(document.GetPages().Select(p => p.Text));
    }

    /// <summary>The page's card, without the layout (whose language links name the requested path).</summary>
    private static string Card(string html) => AccountCard().Match(html).Value;

    [GeneratedRegex("<main class=\"account-card\">.*</main>", RegexOptions.Singleline)]
    private static partial Regex AccountCard();

    /// <summary>The base64 body of the MIME part whose type is application/pdf.</summary>
    private static string PdfPart(string message)
    {
        var lines = message.Replace("\r", "").Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith("Content-Type: application/pdf", StringComparison.Ordinal));
        Assert.True(start >= 0, "no application/pdf part");
        var body = Array.FindIndex(lines, start, l => l.Length == 0) + 1;
        return string.Concat(lines.Skip(body).TakeWhile(l => l.Length > 0 && !l.StartsWith("--", StringComparison.Ordinal)));
    }
}

public sealed class InvoiceTestsOnPostgres(PostgresPortalFactory factory) : InvoiceTests<PostgresPortalFactory>(factory);

public sealed class InvoiceTestsOnSqlite(SqlitePortalFactory factory) : InvoiceTests<SqlitePortalFactory>(factory);
