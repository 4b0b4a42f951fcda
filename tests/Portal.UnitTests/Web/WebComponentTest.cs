using System.Globalization;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Portal.UnitTests.Web;

/// <summary>A bUnit context with MudBlazor and the app's real string table, in the culture a test chooses.</summary>
public abstract class WebComponentTest : BunitContext, IAsyncLifetime
{
    protected WebComponentTest(string culture = "zh-CN")
    {
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        Services.AddLocalization();
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services are only asynchronously disposable; xUnit 2 calls this before Dispose, which then has nothing left to do.
    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();
}
