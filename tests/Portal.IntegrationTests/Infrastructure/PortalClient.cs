using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Features.Accounts;
using Portal.Core.Features.Notifications;
using Portal.Core.Features.Tenants;

namespace Portal.IntegrationTests.Infrastructure;

/// <summary>
/// A browser-like client for one person: cookies, antiforgery tokens, the app's real forms and API.
/// Arranges through the app's own use cases and HTTP surface, never by writing tables.
/// </summary>
public sealed partial class PortalClient
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly PortalFactory _factory;

    public PortalClient(PortalFactory factory, Uri? baseAddress = null)
    {
        _factory = factory;
        Http = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true, BaseAddress = baseAddress ?? new Uri("http://localhost") });
    }

    public HttpClient Http { get; }

    public string Email { get; private set; } = "";

    public string Password { get; private set; } = "";

    public static string NewEmail(string who = "user") => $"{who}-{Guid.NewGuid():N}"[..(who.Length + 13)] + "@example.test";

    /// <summary>Signs up through the register form's use case, confirms with the link from the outbox, and signs in.</summary>
    public static async Task<PortalClient> SignUpAsync(PortalFactory factory, string tenantName = "测试科技有限公司", string? email = null, string password = "Secret-Pass-123", string? clientIp = null)
    {
        var client = new PortalClient(factory) { Email = email ?? NewEmail(), Password = password };
        if (clientIp is not null) client.Http.DefaultRequestHeaders.Add(TestClientIp.Header, clientIp);
        await using (var scope = factory.Scope())
        {
            var result = await scope.ServiceProvider.GetRequiredService<RegisterAccount.Handler>()
                .HandleAsync(new RegisterAccount.Command(client.Email, password, "Tester", tenantName, TenantKind.Company));
            Assert.True(result.IsSuccess, result.Error?.Message);
        }

        var link = await client.LatestLinkAsync("ConfirmEmail");
        var confirm = await client.Http.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        Assert.Contains("email-confirmed", await confirm.Content.ReadAsStringAsync());
        var login = await client.LoginAsync();
        Assert.Equal("/", login.LocationPath());
        return client;
    }

    public static PortalClient As(PortalFactory factory, string email, string password, Uri? baseAddress = null) => new(factory, baseAddress) { Email = email, Password = password };

    /// <summary>The first link in the newest outbox message of this kind sent to this client's address.</summary>
    public async Task<string> LatestLinkAsync(string kind)
    {
        await using var scope = _factory.Scope();
        var message = await scope.ServiceProvider.GetRequiredService<OutboxQueries>().LatestToAsync(Email, kind);
        Assert.NotNull(message);
        var link = LinkPattern().Match(message!.TextBody).Value;
        Assert.False(string.IsNullOrEmpty(link), "no link in the email");
        return link;
    }

    /// <summary>Switches this client's UI language to English (the portal defaults to Chinese).</summary>
    public async Task UseEnglishAsync() => Assert.Equal(HttpStatusCode.Redirect, (await Http.GetAsync("/culture/set?culture=en&redirectUri=/")).StatusCode);

    public Task<HttpResponseMessage> LoginAsync(string? password = null, string returnUrl = "") =>
        PostFormAsync("/Account/Login" + (returnUrl == "" ? "" : "?returnUrl=" + Uri.EscapeDataString(returnUrl)), "login", new()
        {
            ["Input.Email"] = Email,
            ["Input.Password"] = password ?? Password,
        });

    /// <summary>GETs a server-rendered page for its antiforgery token, then submits the named form like a browser.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string url, string formName, Dictionary<string, string> fields)
    {
        var page = await Http.GetStringAsync(url);
        var token = TokenPattern().Match(page);
        Assert.True(token.Success, $"no antiforgery token on {url}");
        var body = new Dictionary<string, string>(fields)
        {
            ["_handler"] = formName,
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
        };
        return await Http.PostAsync(url, new FormUrlEncodedContent(body));
    }

    public async Task<T> GetJsonAsync<T>(string url)
    {
        var response = await Http.GetAsync(url);
        Assert.True(response.IsSuccessStatusCode, $"GET {url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    public Task<HttpResponseMessage> PostJsonAsync<T>(string url, T body) => Http.PostAsJsonAsync(url, body, Json);

    public Task<HttpResponseMessage> PutJsonAsync<T>(string url, T body) => Http.PutAsJsonAsync(url, body, Json);

    [GeneratedRegex(@"name=""__RequestVerificationToken"" value=""([^""]+)""")]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex LinkPattern();
}

public static class ResponseExtensions
{
    /// <summary>Where a redirect points, as a local path and query (absolute redirects are made relative).</summary>
    public static string? LocationPath(this HttpResponseMessage response) =>
        response.Headers.Location is not { } location ? null
        : location.IsAbsoluteUri ? location.PathAndQuery
        : location.OriginalString;
}
