using Microsoft.Playwright;

namespace Portal.E2E.Infrastructure;

/// <summary>
/// Runs a browser flow; on failure saves a full-page screenshot under TestResults/ and rethrows.
/// <see cref="SnapAsync"/> saves screenshots of pages worth looking at.
/// </summary>
public static class BrowserTest
{
    public static readonly string Results = Path.Combine(FindRoot(), "TestResults", "e2e");

    public static async Task RunAsync(IPage page, string name, Func<Task> flow)
    {
        try
        {
            await flow();
        }
        catch
        {
            Directory.CreateDirectory(Results);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Results, $"FAILED-{name}.png"), FullPage = true });
            throw;
        }
    }

    public static Task SnapAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Results);
        return page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Results, $"{name}.png"), FullPage = true });
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Portal.E2E.csproj"))) dir = dir.Parent;
        return dir?.FullName ?? AppContext.BaseDirectory;
    }
}
