using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Features.Payments;

/// <summary>A host configured with <paramref name="settings"/> (a payment rail in Production with keys left out).</summary>
public sealed class ProductionWithoutKeysFactory(params (string Key, string Value)[] settings) : PortalFactory
{
    public override Portal.Core.Data.DatabaseProvider Provider => Portal.Core.Data.DatabaseProvider.Sqlite;

    protected override Task<string> CreateDatabaseAsync() =>
        Task.FromResult($"Data Source={Path.Combine(Path.GetTempPath(), "portal-sqlite", Guid.NewGuid().ToString("N") + ".db")}");

    protected override void Configure(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
    }
}

public sealed class AlipayStartupTests
{
    [Fact]
    public async Task Production_mode_with_a_missing_key_refuses_to_start_and_names_the_key()
    {
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "portal-sqlite"));
        await using var factory = new ProductionWithoutKeysFactory(
            ("Alipay:Mode", "Production"), ("Alipay:AppId", "2021004100000000"), ("Alipay:PrivateKey", ""), ("Alipay:AlipayPublicKey", ""));
        var failure = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => ((IAsyncLifetime)factory).InitializeAsync());
        Assert.Contains("Alipay:PrivateKey must be set when Alipay:Mode is Production", failure.Message);
        Assert.Contains("Alipay:AlipayPublicKey", failure.Message);
        Assert.DoesNotContain("Alipay:AppId", failure.Message);
    }
}

/// <summary>Production keys given as files (mounted secrets) instead of configuration values.</summary>
public sealed class ProductionWithKeyFilesFactory : PortalFactory
{
    private readonly string _directory = Directory.CreateTempSubdirectory("portal-alipay-keys").FullName;

    public ProductionWithKeyFilesFactory()
    {
        using var merchant = System.Security.Cryptography.RSA.Create(2048);
        using var alipay = System.Security.Cryptography.RSA.Create(2048);
        PrivateKeyPem = merchant.ExportPkcs8PrivateKeyPem();
        MerchantPublicKeyPem = merchant.ExportSubjectPublicKeyInfoPem();
        File.WriteAllText(Path.Combine(_directory, "app-private-key.pem"), PrivateKeyPem + "\n");
        // Alipay's public key as Alipay's console shows it: bare base64 on one line.
        File.WriteAllText(Path.Combine(_directory, "alipay-public-key.txt"), Convert.ToBase64String(alipay.ExportSubjectPublicKeyInfo()));
    }

    public string PrivateKeyPem { get; }

    public string MerchantPublicKeyPem { get; }

    public override Portal.Core.Data.DatabaseProvider Provider => Portal.Core.Data.DatabaseProvider.Sqlite;

    protected override Task<string> CreateDatabaseAsync() =>
        Task.FromResult($"Data Source={Path.Combine(Path.GetTempPath(), "portal-sqlite", Guid.NewGuid().ToString("N") + ".db")}");

    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("Alipay:Mode", "Production");
        builder.UseSetting("Alipay:AppId", "2021004100000000");
        builder.UseSetting("Alipay:PrivateKeyFile", Path.Combine(_directory, "app-private-key.pem"));
        builder.UseSetting("Alipay:AlipayPublicKeyFile", Path.Combine(_directory, "alipay-public-key.txt"));
    }
}

public sealed class AlipayKeyFileTests
{
    [Fact]
    public async Task Production_keys_are_read_from_files_and_sign()
    {
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "portal-sqlite"));
        await using var factory = new ProductionWithKeyFilesFactory();
        await ((IAsyncLifetime)factory).InitializeAsync();
        var options = factory.Services.GetRequiredService<IOptions<Portal.Core.Features.Payments.Alipay.AlipayOptions>>().Value;
        Assert.Equal(factory.PrivateKeyPem, options.PrivateKey);

        using var privateKey = Portal.Core.Features.Payments.RsaKeys.LoadPrivateKey(options.PrivateKey);
        using var publicKey = Portal.Core.Features.Payments.RsaKeys.LoadPublicKey(factory.MerchantPublicKeyPem);
        var signature = Portal.Core.Features.Payments.Alipay.AlipaySignature.Sign("app_id=2021004100000000&method=alipay.trade.query", privateKey);
        Assert.True(Portal.Core.Features.Payments.Alipay.AlipaySignature.Verify("app_id=2021004100000000&method=alipay.trade.query", signature, publicKey));
    }
}

public sealed class WechatPayStartupTests
{
    [Fact]
    public async Task Production_mode_with_missing_keys_refuses_to_start_and_names_each_key()
    {
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "portal-sqlite"));
        await using var factory = new ProductionWithoutKeysFactory(
            ("WechatPay:Mode", "Production"), ("WechatPay:MchId", "1900009191"), ("WechatPay:PublicKeyId", "PUB_KEY_ID_0119000091912026"));
        var failure = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => ((IAsyncLifetime)factory).InitializeAsync());
        foreach (var key in new[] { "WechatPay:AppId", "WechatPay:MerchantSerialNo", "WechatPay:MerchantPrivateKey", "WechatPay:ApiV3Key", "WechatPay:PublicKey " })
            Assert.Contains($"{key.Trim()} must be set when WechatPay:Mode is Production", failure.Message);
        Assert.DoesNotContain("WechatPay:MchId", failure.Message);
    }

    [Fact]
    public async Task A_plain_http_gateway_is_refused_outside_the_simulator()
    {
        Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "portal-sqlite"));
        using var key = System.Security.Cryptography.RSA.Create(2048);
        await using var factory = new ProductionWithoutKeysFactory(
            ("WechatPay:Mode", "Production"), ("WechatPay:MchId", "1900009191"), ("WechatPay:AppId", "wxd678efh567hg6787"),
            ("WechatPay:MerchantSerialNo", "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"), ("WechatPay:MerchantPrivateKey", key.ExportPkcs8PrivateKeyPem()),
            ("WechatPay:ApiV3Key", "0123456789abcdefghijklmnopqrstuv"), ("WechatPay:Gateway", "http://api.mch.weixin.qq.com"));
        var failure = await Assert.ThrowsAnyAsync<OptionsValidationException>(() => ((IAsyncLifetime)factory).InitializeAsync());
        Assert.Contains("WechatPay:Gateway must be an absolute https URL", failure.Message);
    }
}
