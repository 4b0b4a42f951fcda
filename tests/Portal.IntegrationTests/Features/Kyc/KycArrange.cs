using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Common;
using Portal.Core.Data;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Kyc;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Kyc;

/// <summary>Acting through the KYC use cases as a signed-up user or as the operator, like the pages do.</summary>
internal static class KycArrange
{
    private static int _seed = Environment.TickCount;

    public static string NewCreditCode() => UnifiedSocialCreditCode.Generate(new Random(Interlocked.Increment(ref _seed)));

    public static byte[] Png(string name = "测试", string? code = null) => LicenceImage.GeneratePng(name, code ?? NewCreditCode());

    /// <summary>A scope whose current user is the signed-up <paramref name="email"/> in their current tenant.</summary>
    public static async Task<(AsyncServiceScope Scope, Guid TenantId)> AsUserAsync(PortalFactory factory, string email)
    {
        var scope = factory.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        scope.ServiceProvider.GetRequiredService<CurrentUser>().Use(CurrentUser.For(user.Id, email, user.CurrentTenantId));
        return (scope, user.CurrentTenantId!.Value);
    }

    /// <summary>A scope acting as the bootstrap PlatformAdmin (the 2FA requirement is the pages' policy, not the use case's).</summary>
    public static async Task<AsyncServiceScope> AsOperatorAsync(PortalFactory factory)
    {
        var scope = factory.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var admin = await db.Users.SingleAsync(u => u.Email == PortalFactory.AdminEmail);
        scope.ServiceProvider.GetRequiredService<CurrentUser>().Use(CurrentUser.For(admin.Id, PortalFactory.AdminEmail, null, OperatorRoles.PlatformAdmin));
        return scope;
    }

    public static async Task<Result<UploadKycDocument.Uploaded>> UploadAsync(IServiceProvider services, KycDocumentKind kind, byte[] content, string name = "licence.png") =>
        await services.GetRequiredService<UploadKycDocument.Handler>().HandleAsync(new UploadKycDocument.Command(kind, name, new MemoryStream(content)));

    public static KycForm Enterprise(string creditCode, Guid licenceId, string company = "测试科技有限公司") =>
        new(KycType.Enterprise, company, creditCode, "王五", "上海市浦东新区世纪大道100号", "王五", "13912345678", true, licenceId);

    /// <summary>Signs up a company, uploads a licence and submits it; returns the submission id.</summary>
    public static async Task<(PortalClient Client, Guid SubmissionId, Guid TenantId, Guid LicenceId)> SubmittedEnterpriseAsync(PortalFactory factory, string? creditCode = null, string company = "测试科技有限公司")
    {
        var client = await PortalClient.SignUpAsync(factory, company);
        var (scope, tenantId) = await AsUserAsync(factory, client.Email);
        await using (scope)
        {
            var licence = await UploadAsync(scope.ServiceProvider, KycDocumentKind.BusinessLicence, Png(company, creditCode));
            Assert.True(licence.IsSuccess, licence.Error?.Message);
            var submitted = await scope.ServiceProvider.GetRequiredService<SubmitKyc.Handler>()
                .HandleAsync(new SubmitKyc.Command(Enterprise(creditCode ?? NewCreditCode(), licence.Value!.DocumentId, company)));
            Assert.True(submitted.IsSuccess, submitted.Error?.Message);
            return (client, submitted.Value!.SubmissionId, tenantId, licence.Value!.DocumentId);
        }
    }

    public static async Task<Result<Unit>> ApproveAsync(PortalFactory factory, Guid submissionId)
    {
        await using var scope = await AsOperatorAsync(factory);
        return await scope.ServiceProvider.GetRequiredService<ApproveKyc.Handler>().HandleAsync(new ApproveKyc.Command(submissionId));
    }

    /// <summary>Invites a new user with <paramref name="role"/> into the owner's tenant and signs them in.</summary>
    public static async Task<PortalClient> InviteAsync(PortalFactory factory, PortalClient owner, string role)
    {
        var email = PortalClient.NewEmail(role.ToLowerInvariant());
        Assert.Equal(HttpStatusCode.Created, (await owner.PostJsonAsync("/api/tenant/invitations", new { email, role })).StatusCode);
        var member = PortalClient.As(factory, email, "Member-Pass-123");
        var link = await member.LatestLinkAsync("Invitation");
        var token = Uri.UnescapeDataString(link[(link.IndexOf("token=", StringComparison.Ordinal) + 6)..]);
        await member.PostFormAsync($"/Account/Register?invite={Uri.EscapeDataString(token)}", "register", new()
        {
            ["Input.Email"] = email,
            ["Input.DisplayName"] = role,
            ["Input.Password"] = member.Password,
            ["Input.Invite"] = token,
        });
        var accept = await member.PostFormAsync($"/invitations/accept?token={Uri.EscapeDataString(token)}", "accept-invitation", new() { ["Input.Token"] = token });
        Assert.Equal(HttpStatusCode.Redirect, accept.StatusCode);
        return member;
    }
}
