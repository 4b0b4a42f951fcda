using Portal.Core.Common;

namespace Portal.UnitTests.Common;

public sealed class SecretSourceTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("portal-secret-source").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void An_inline_value_is_used_as_it_is() =>
        Assert.Equal("MIIEvQ", SecretSource.Resolve("Alipay:PrivateKey", "MIIEvQ", null, _directory));

    [Fact]
    public void A_file_is_read_and_trimmed_relative_to_the_base_directory()
    {
        File.WriteAllText(Path.Combine(_directory, "key.pem"), "\n-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n\n");
        Assert.Equal("-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----", SecretSource.Resolve("Alipay:PrivateKey", "", "key.pem", _directory));
    }

    [Fact]
    public void Neither_is_the_empty_value() => Assert.Equal("", SecretSource.Resolve("Alipay:PrivateKey", null, " ", _directory));

    [Fact]
    public void Both_a_value_and_a_file_is_refused_naming_the_key()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => SecretSource.Resolve("WechatPay:MerchantPrivateKey", "abc", "key.pem", _directory));
        Assert.Equal("Set WechatPay:MerchantPrivateKey or WechatPay:MerchantPrivateKeyFile, not both.", failure.Message);
    }

    [Fact]
    public void A_missing_or_empty_file_is_refused_naming_the_key()
    {
        Assert.StartsWith("Alipay:PrivateKeyFile: cannot read", Assert.Throws<InvalidOperationException>(() => SecretSource.Resolve("Alipay:PrivateKey", null, "missing.pem", _directory)).Message);
        File.WriteAllText(Path.Combine(_directory, "empty.pem"), " \n");
        Assert.EndsWith("empty.pem is empty.", Assert.Throws<InvalidOperationException>(() => SecretSource.Resolve("Alipay:PrivateKey", null, "empty.pem", _directory)).Message);
    }
}
