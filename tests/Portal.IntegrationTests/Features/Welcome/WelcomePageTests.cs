using System.Net;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Features.Catalog;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Welcome;

/// <summary>The public landing page: visitors of / land on it; it shows the live catalogue, plans and ways to pay.</summary>
public abstract class WelcomePageTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : PortalFactory
{
    [Fact]
    public async Task A_visitor_of_the_home_page_is_sent_to_the_landing_page_and_a_signed_in_user_is_not()
    {
        var anonymous = new PortalClient(factory);
        var home = await anonymous.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/welcome", home.LocationPath());
        // Other private pages still ask for a sign-in.
        Assert.StartsWith("/Account/Login", (await anonymous.Http.GetAsync("/wallet")).LocationPath());

        var member = await PortalClient.SignUpAsync(factory, "落地页科技有限公司");
        Assert.Equal(HttpStatusCode.OK, (await member.Http.GetAsync("/")).StatusCode);
        var welcome = await member.Http.GetStringAsync("/welcome");
        Assert.Contains("data-testid=\"welcome-console\"", welcome);
        Assert.DoesNotContain("data-testid=\"welcome-register\"", welcome);
    }

    [Fact]
    public async Task The_landing_page_lists_the_enabled_models_with_their_current_prices_the_plans_and_the_ways_to_pay_in_chinese()
    {
        await factory.ModelAsync("landing-model-on", ModelKind.Chat, 2_500_000, 10_000_000);
        await factory.ModelAsync("landing-model-off", ModelKind.Chat, 1_000_000, 1_000_000);
        await using (var db = await factory.DbAsync())
        {
            await db.AiModels.Where(m => m.PublicId == "landing-model-off").ExecuteUpdateAsync(s => s.SetProperty(m => m.Enabled, false));
        }
        await factory.CreatePlanAsync("落地页套餐", 3000, 3900);

        var html = WebUtility.HtmlDecode(await new PortalClient(factory).Http.GetStringAsync("/welcome"));

        Assert.Contains("<html lang=\"zh-CN\"", html);
        Assert.Contains("<title>Portal · 面向企业的大模型 API 采购与计费平台</title>", html);
        Assert.Matches("<meta name=\"description\" content=\"Portal [^\"]*支付宝[^\"]*\"", html);
        Assert.Contains("landing-model-on", html);
        Assert.Contains("¥2.50", html);
        Assert.Contains("¥10.00", html);
        Assert.DoesNotContain("landing-model-off", html);
        Assert.Contains("落地页套餐", html);
        Assert.Contains("¥3,000.00", html);
        Assert.Contains("支付宝", html);
        Assert.Contains("微信支付", html);
        Assert.Contains("对公转账", html);
        Assert.Contains("href=\"/status\"", html);
        Assert.Contains("href=\"/Account/Register\"", html);
        Assert.Contains("href=\"/Account/Login\"", html);
        // Static: no circuit, nothing arrives later to shift the page.
        Assert.DoesNotContain("<!--Blazor:{\"type\":\"server\"", html);
    }

    [Fact]
    public async Task The_landing_page_reads_in_english_when_the_visitor_chooses_it()
    {
        var client = new PortalClient(factory);
        client.Http.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en");
        await client.Http.GetAsync("/culture/set?culture=en&redirectUri=/welcome");

        var html = WebUtility.HtmlDecode(await client.Http.GetStringAsync("/welcome"));

        Assert.Contains("<html lang=\"en\"", html);
        Assert.Contains("<title>Portal · Large-model API procurement and billing for companies</title>", html);
        Assert.Contains("Ways to pay", html);
        Assert.Contains("Alipay", html);
    }
}

public sealed class WelcomePageTestsOnPostgres(PostgresPortalFactory factory) : WelcomePageTests<PostgresPortalFactory>(factory);

public sealed class WelcomePageTestsOnSqlite(SqlitePortalFactory factory) : WelcomePageTests<SqlitePortalFactory>(factory);
