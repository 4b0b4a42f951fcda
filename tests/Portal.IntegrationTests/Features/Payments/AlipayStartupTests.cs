using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Payments;

public sealed class ProductionWithoutKeysFactory : PortalFactory
{
    public override Portal.Core.Data.DatabaseProvider Provider => Portal.Core.Data.DatabaseProvider.Sqlite;

    protected override Task<string> CreateDatabaseAsync() =>
        Task.FromResult($"Data Source={Path.Combine(Path.GetTempPath(), "portal-sqlite", Guid.NewGuid().ToString("N") + ".db")}");

    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("Alipay:Mode", "Production");
        builder.UseSetting("Alipay:AppId", "2021004100000000");
        builder.UseSetting("Alipay:PrivateKey", "");
        builder.UseSetting("Alipay:AlipayPublicKey", "");
    }
}

public sealed class AlipayStartupTests
{
    [Fact]
    public async Task Production_mode_with_a_missing_key_refuses_to_start_and_names_the_key()
    {
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "portal-sqlite"));
        await using var factory = new ProductionWithoutKeysFactory();
        var failure = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => ((IAsyncLifetime)factory).InitializeAsync());
        Assert.Contains("Alipay:PrivateKey must be set when Alipay:Mode is Production", failure.Message);
        Assert.Contains("Alipay:AlipayPublicKey", failure.Message);
        Assert.DoesNotContain("Alipay:AppId", failure.Message);
    }
}
