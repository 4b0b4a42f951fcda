using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.Core.Features.Demo;
using Portal.Core.Features.Kyc;
using Portal.IntegrationTests.Infrastructure;
using Portal.TestSupport;

namespace Portal.IntegrationTests.Features.Kyc;

public abstract partial class KycTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Theory]
    [InlineData("oversize")]
    [InlineData("html-as-png")]
    [InlineData("exe-as-pdf")]
    [InlineData("empty")]
    public async Task Refused_upload_stores_nothing(string what)
    {
        var (content, expectedCode) = what switch
        {
            "oversize" => (Oversized(), KycErrorCodes.DocumentTooLarge),
            "html-as-png" => ("<!DOCTYPE html><script>alert(1)</script>"u8.ToArray(), KycErrorCodes.DocumentUnsupportedType),
            "exe-as-pdf" => ([(byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0], KycErrorCodes.DocumentUnsupportedType),
            _ => (Array.Empty<byte>(), KycErrorCodes.DocumentEmpty),
        };
        var owner = await PortalClient.SignUpAsync(factory);
        var before = StoredFiles();
        var (scope, tenantId) = await KycArrange.AsUserAsync(factory, owner.Email);
        await using (scope)
        {
            var result = await KycArrange.UploadAsync(scope.ServiceProvider, KycDocumentKind.BusinessLicence, content, what == "exe-as-pdf" ? "licence.pdf" : "licence.png");
            Assert.False(result.IsSuccess);
            Assert.Equal(expectedCode, result.Error!.Code);
            Assert.False(string.IsNullOrWhiteSpace(result.Error.Message));
        }

        Assert.Equal(before, StoredFiles());
        await using var dbScope = factory.Scope();
        await using var db = await CreateDbAsync(dbScope);
        Assert.False(await db.KycDocuments.IgnoreTenantFilter().AnyAsync(d => d.TenantId == tenantId));
    }

    [Fact]
    public async Task Accepted_upload_is_stored_under_a_random_name_with_the_type_from_its_content()
    {
        var owner = await PortalClient.SignUpAsync(factory);
        var (scope, _) = await KycArrange.AsUserAsync(factory, owner.Email);
        await using (scope)
        {
            // A PNG named .pdf with the wrong extension is still a PNG.
            var result = await KycArrange.UploadAsync(scope.ServiceProvider, KycDocumentKind.BusinessLicence, KycArrange.Png(), "scan.pdf");
            Assert.True(result.IsSuccess, result.Error?.Message);
            Assert.Equal(DocumentType.Png, result.Value!.Type);
            await using var dbScope = factory.Scope();
            await using var db = await CreateDbAsync(dbScope);
            var document = await db.KycDocuments.IgnoreTenantFilter().SingleAsync(d => d.Id == result.Value.DocumentId);
            Assert.Matches("^[0-9a-f]{32}\\.png$", document.StorageKey);
            Assert.True(File.Exists(Path.Combine(factory.StoragePath, document.StorageKey)));
        }

        var response = await owner.Http.GetAsync($"/api/kyc/documents/{(await LatestDocumentIdAsync(owner.Email))}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Document_is_404_for_another_tenant_a_developer_and_PlatformFinance_served_to_PlatformAdmin_and_every_read_audited()
    {
        var (owner, _, _, licenceId) = await KycArrange.SubmittedEnterpriseAsync(factory);
        var stranger = await PortalClient.SignUpAsync(factory, "别家公司");
        var developer = await KycArrange.InviteAsync(factory, owner, "Developer");
        var admin = await KycArrange.InviteAsync(factory, owner, "Admin");
        var url = $"/api/kyc/documents/{licenceId}";

        Assert.Equal(HttpStatusCode.OK, (await owner.Http.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Http.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await developer.Http.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Http.GetAsync($"/api/kyc/documents/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await new PortalClient(factory).Http.GetAsync(url)).StatusCode);

        // A PlatformFinance operator (2FA on) is not shown verification documents: 404, like anyone else.
        var finance = await PortalClient.SignUpAsync(factory, "财务运营");
        await using (var scope = factory.Scope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Portal.Core.Features.Accounts.PortalUser>>();
            var user = await users.FindByEmailAsync(finance.Email!);
            Assert.True((await users.AddToRoleAsync(user!, Portal.Core.Features.Accounts.OperatorRoles.PlatformFinance)).Succeeded);
        }

        await SignInWithTwoFactorAsync(finance);
        Assert.Equal(HttpStatusCode.NotFound, (await finance.Http.GetAsync(url)).StatusCode);

        // A PlatformAdmin with 2FA turned on sees any tenant's document.
        var operatorClient = PortalClient.As(factory, PortalFactory.AdminEmail, PortalFactory.AdminPassword);
        await SignInWithTwoFactorAsync(operatorClient);
        var served = await operatorClient.Http.GetAsync(url);
        Assert.True(served.StatusCode == HttpStatusCode.OK, $"PlatformAdmin got {(int)served.StatusCode} {served.Headers.Location}");
        Assert.Equal(KycArrange.Png().Take(8), (await served.Content.ReadAsByteArrayAsync()).Take(8));

        // Every read that served the document is in the audit log, with who read it; refusals served nothing.
        await using var dbScope = factory.Scope();
        await using var db = await CreateDbAsync(dbScope);
        var readers = await db.AuditEntries.IgnoreTenantFilter()
            .Where(a => a.Action == "kyc.document.read" && a.TargetId == licenceId.ToString())
            .Select(a => a.Actor).ToListAsync();
        Assert.Equal(new[] { owner.Email!, admin.Email!, PortalFactory.AdminEmail }.Order(StringComparer.Ordinal), readers.Order(StringComparer.Ordinal));
    }

    private async Task SignInWithTwoFactorAsync(PortalClient client)
    {
        await client.LoginAsync();
        var setup = await client.Http.GetStringAsync("/Account/Manage/EnableAuthenticator");
        var key = KeyPattern().Match(setup).Groups[1].Value;
        // ASP.NET Core Identity checks authenticator codes against the real clock, not the injected TimeProvider.
        await client.PostFormAsync("/Account/Manage/EnableAuthenticator", "send-code", new() { ["Input.Code"] = Totp.Code(key, DateTimeOffset.UtcNow) });
    }

    [Fact]
    public async Task Gate_refuses_before_approval_passes_after_and_refuses_again_after_revocation()
    {
        var (_, submissionId, tenantId, _) = await KycArrange.SubmittedEnterpriseAsync(factory);
        await using var scope = factory.Scope();
        var gate = scope.ServiceProvider.GetRequiredService<IKycGate>();

        Assert.Equal(KycGateErrors.NotVerified, await gate.CheckAsync(tenantId));

        Assert.True((await KycArrange.ApproveAsync(factory, submissionId)).IsSuccess);
        Assert.Null(await gate.CheckAsync(tenantId));

        await using (var op = await KycArrange.AsOperatorAsync(factory))
        {
            var revoked = await op.ServiceProvider.GetRequiredService<RevokeKyc.Handler>().HandleAsync(new RevokeKyc.Command(submissionId, "营业执照已注销"));
            Assert.True(revoked.IsSuccess, revoked.Error?.Message);
        }

        Assert.Equal(KycGateErrors.Revoked, await gate.CheckAsync(tenantId));
    }

    [Fact]
    public async Task Concurrent_approve_and_reject_record_exactly_one_decision()
    {
        var (_, submissionId, _, _) = await KycArrange.SubmittedEnterpriseAsync(factory);
        await using var approver = await KycArrange.AsOperatorAsync(factory);
        await using var rejecter = await KycArrange.AsOperatorAsync(factory);

        var results = await Task.WhenAll(
            Task.Run(() => approver.ServiceProvider.GetRequiredService<ApproveKyc.Handler>().HandleAsync(new ApproveKyc.Command(submissionId))),
            Task.Run(() => rejecter.ServiceProvider.GetRequiredService<RejectKyc.Handler>().HandleAsync(new RejectKyc.Command(submissionId, "执照模糊"))));

        Assert.Single(results, r => r.IsSuccess);
        Assert.Single(results, r => !r.IsSuccess && r.Error!.Code == KycErrors.AlreadyDecided.Code);
        await using var dbScope = factory.Scope();
        await using var db = await CreateDbAsync(dbScope);
        var submission = await db.KycSubmissions.IgnoreTenantFilter().SingleAsync(s => s.Id == submissionId);
        Assert.Equal(results[0].IsSuccess ? KycStatus.Approved : KycStatus.Rejected, submission.Status);
        Assert.Equal(1, await db.AuditEntries.IgnoreTenantFilter().CountAsync(a => a.TargetId == submissionId.ToString() && (a.Action == "kyc.approved" || a.Action == "kyc.rejected")));
    }

    [Fact]
    public async Task A_credit_code_is_approved_for_one_tenant_only()
    {
        var code = KycArrange.NewCreditCode();
        var (_, first, _, _) = await KycArrange.SubmittedEnterpriseAsync(factory, code, "同一家公司");
        // A second tenant submits the same company while the first still waits: both are in the queue.
        var (_, second, _, _) = await KycArrange.SubmittedEnterpriseAsync(factory, code, "同一家公司");

        Assert.True((await KycArrange.ApproveAsync(factory, first)).IsSuccess);

        // The operator sees the conflict, and the database refuses the second approval.
        await using (var op = await KycArrange.AsOperatorAsync(factory))
        {
            var review = await op.ServiceProvider.GetRequiredService<KycQueries>().GetForOperatorAsync(second);
            Assert.NotNull(review!.Conflict);
        }

        var refused = await KycArrange.ApproveAsync(factory, second);
        Assert.Equal(KycErrors.CreditCodeTaken, refused.Error);

        // A third tenant is told at submission that the company is already verified.
        var third = await PortalClient.SignUpAsync(factory, "第三家");
        var (scope, _) = await KycArrange.AsUserAsync(factory, third.Email);
        await using (scope)
        {
            var licence = await KycArrange.UploadAsync(scope.ServiceProvider, KycDocumentKind.BusinessLicence, KycArrange.Png());
            var submitted = await scope.ServiceProvider.GetRequiredService<SubmitKyc.Handler>()
                .HandleAsync(new SubmitKyc.Command(KycArrange.Enterprise(code.ToLowerInvariant(), licence.Value!.DocumentId)));
            Assert.Equal(KycErrors.CreditCodeTaken, submitted.Error);
        }
    }

    [Fact]
    public async Task Rejected_submission_is_corrected_and_resubmitted_keeping_history_audit_and_emails()
    {
        var (owner, first, _, licenceId) = await KycArrange.SubmittedEnterpriseAsync(factory);
        await using (var op = await KycArrange.AsOperatorAsync(factory))
        {
            var missingReason = await op.ServiceProvider.GetRequiredService<RejectKyc.Handler>().HandleAsync(new RejectKyc.Command(first, "  "));
            Assert.IsType<Portal.Core.Common.ValidationError>(missingReason.Error);
            Assert.True((await op.ServiceProvider.GetRequiredService<RejectKyc.Handler>().HandleAsync(new RejectKyc.Command(first, "法定代表人与执照不符"))).IsSuccess);
        }

        Assert.Contains("法定代表人与执照不符", (await LatestMailAsync(owner.Email, "KycRejected"))!.TextBody);

        var (scope, _) = await KycArrange.AsUserAsync(factory, owner.Email);
        Guid second;
        await using (scope)
        {
            var mine = (await scope.ServiceProvider.GetRequiredService<KycQueries>().GetMineAsync()).Value!;
            Assert.Equal(KycStatus.Rejected, mine.Status);
            var corrected = KycForm.From(mine.Latest!.Submission) with { LegalRepresentative = "赵六" };
            var invalid = await scope.ServiceProvider.GetRequiredService<SubmitKyc.Handler>().HandleAsync(new SubmitKyc.Command(corrected with { CreditCode = "91350100M000100Y44" }));
            Assert.Contains("CreditCode", Assert.IsType<Portal.Core.Common.ValidationError>(invalid.Error).Fields.Keys);
            var resubmitted = await scope.ServiceProvider.GetRequiredService<SubmitKyc.Handler>().HandleAsync(new SubmitKyc.Command(corrected));
            Assert.True(resubmitted.IsSuccess, resubmitted.Error?.Message);
            second = resubmitted.Value!.SubmissionId;
            Assert.Equal(KycErrors.AlreadySubmitted, (await scope.ServiceProvider.GetRequiredService<SubmitKyc.Handler>().HandleAsync(new SubmitKyc.Command(corrected))).Error);
        }

        Assert.NotEqual(first, second);
        Assert.True((await KycArrange.ApproveAsync(factory, second)).IsSuccess);
        Assert.Equal(KycErrors.AlreadyDecided, (await KycArrange.ApproveAsync(factory, second)).Error);
        Assert.NotNull(await LatestMailAsync(owner.Email, "KycApproved"));

        await using var dbScope = factory.Scope();
        await using var db = await CreateDbAsync(dbScope);
        var history = await db.KycSubmissions.IgnoreTenantFilter().Where(s => s.Id == first || s.Id == second).ToListAsync();
        Assert.Equal(KycStatus.Rejected, history.Single(s => s.Id == first).Status);
        Assert.Equal(KycStatus.Approved, history.Single(s => s.Id == second).Status);
        Assert.All(history, s => Assert.Equal(licenceId, s.LicenceDocumentId));
        var actions = await db.AuditEntries.IgnoreTenantFilter()
            .Where(a => a.TargetId == first.ToString() || a.TargetId == second.ToString()).Select(a => a.Action).ToListAsync();
        Assert.Equal(["kyc.approved", "kyc.rejected", "kyc.submitted", "kyc.submitted"], actions.Order());
    }

    [Fact]
    public async Task Developer_cannot_submit_or_upload()
    {
        var owner = await PortalClient.SignUpAsync(factory);
        var developer = await KycArrange.InviteAsync(factory, owner, "Developer");
        var (scope, _) = await KycArrange.AsUserAsync(factory, developer.Email);
        await using (scope)
        {
            var upload = await KycArrange.UploadAsync(scope.ServiceProvider, KycDocumentKind.BusinessLicence, KycArrange.Png());
            Assert.Equal("Auth.Forbidden", upload.Error!.Code);
        }
    }

    [Fact]
    public async Task Seed_demo_makes_an_approved_enterprise_once()
    {
        for (var i = 0; i < 2; i++)
        {
            await using var scope = factory.Scope();
            await scope.ServiceProvider.GetRequiredService<DemoSeeder>().SeedAsync();
        }

        await using var dbScope = factory.Scope();
        await using var db = await CreateDbAsync(dbScope);
        var demo = await db.Users.SingleAsync(u => u.Email == "demo@portal.local");
        var approved = await db.KycSubmissions.IgnoreTenantFilter().SingleAsync(s => s.TenantId == demo.CurrentTenantId && s.Status == KycStatus.Approved);
        Assert.Null(UnifiedSocialCreditCode.Validate(approved.CreditCode));
        var licence = await db.KycDocuments.IgnoreTenantFilter().SingleAsync(d => d.Id == approved.LicenceDocumentId);
        Assert.Equal(DocumentType.Png, licence.Type);
        Assert.True(File.Exists(Path.Combine(factory.StoragePath, licence.StorageKey)));
        await using var gateScope = factory.Scope();
        Assert.Null(await gateScope.ServiceProvider.GetRequiredService<IKycGate>().CheckAsync(demo.CurrentTenantId!.Value));
    }

    private static byte[] Oversized()
    {
        var content = new byte[KycLimits.DocumentMaxBytes + 1];
        KycArrange.Png().AsSpan(0, 8).CopyTo(content);
        return content;
    }

    private string[] StoredFiles() =>
        Directory.Exists(factory.StoragePath) ? Directory.GetFiles(factory.StoragePath, "*", SearchOption.AllDirectories).Order().ToArray() : [];

    private static Task<PortalDbContext> CreateDbAsync(AsyncServiceScope scope) =>
        scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();

    private async Task<Guid> LatestDocumentIdAsync(string email)
    {
        await using var dbScope = factory.Scope();
        await using var db = await CreateDbAsync(dbScope);
        var user = await db.Users.SingleAsync(u => u.Email == email);
        return await db.KycDocuments.IgnoreTenantFilter().Where(d => d.TenantId == user.CurrentTenantId).OrderByDescending(d => d.Id).Select(d => d.Id).FirstAsync();
    }

    private async Task<Portal.Core.Features.Notifications.OutboxMessage?> LatestMailAsync(string email, string kind)
    {
        await using var scope = factory.Scope();
        return await scope.ServiceProvider.GetRequiredService<Portal.Core.Features.Notifications.OutboxQueries>().LatestToAsync(email, kind);
    }

    [GeneratedRegex("""data-testid="totp-key">([a-z0-9 ]+)<""")]
    private static partial Regex KeyPattern();
}

public sealed class KycTestsOnPostgres(PostgresPortalFactory factory) : KycTests<PostgresPortalFactory>(factory);

public sealed class KycTestsOnSqlite(SqlitePortalFactory factory) : KycTests<SqlitePortalFactory>(factory);
