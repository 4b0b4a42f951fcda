using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Data;
using Portal.IntegrationTests.Infrastructure;

namespace Portal.IntegrationTests.Hosting;

/// <summary>The Data Protection key ring in the database is encrypted with a certificate kept outside it.</summary>
public sealed class KeyRingTests
{
    [Theory]
    [InlineData(DatabaseProvider.Postgres)]
    [InlineData(DatabaseProvider.Sqlite)]
    public async Task Two_hosts_sharing_the_database_and_certificate_read_each_others_secrets_and_no_master_key_is_stored_in_clear(DatabaseProvider provider)
    {
        var folder = Directory.CreateTempSubdirectory("portal-keyring").FullName;
        var pfx = Path.Combine(folder, "key-ring.pfx");
        using (var rsa = RSA.Create(2048))
        {
            using var certificate = new CertificateRequest("CN=Portal test key ring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
                .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pkcs12, "ring-Pass-1"));
        }

        var settings = new Dictionary<string, string> { ["DataProtection:CertificatePath"] = pfx, ["DataProtection:CertificatePassword"] = "ring-Pass-1" };
        var connectionString = await SharedDatabaseFactory.NewDatabaseAsync(provider, "portal_keyring");
        await using var first = new SharedDatabaseFactory(provider, connectionString, settings);
        await first.InitializeAsync();
        var fromFirst = first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Portal.Test").Protect("sk-upstream-密钥");

        // A key an earlier version wrote in clear (before the certificate) is encrypted by the next start-up and keeps working.
        var (legacyKeyXml, fromLegacy) = LegacyKey();
        await using (var scope = first.Scope())
        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            db.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = "legacy", Xml = legacyKeyXml });
            await db.SaveChangesAsync();
        }

        await using var second = new SharedDatabaseFactory(provider, connectionString, settings);
        await second.InitializeAsync();
        var protector = second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Portal.Test");
        Assert.Equal("sk-upstream-密钥", protector.Unprotect(fromFirst));
        Assert.Equal("legacy secret", protector.Unprotect(fromLegacy));

        await using (var scope = second.Scope())
        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            var stored = await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync();
            Assert.True(stored.Count >= 2);
            Assert.All(stored, xml =>
            {
                Assert.DoesNotContain("masterKey", xml);
                Assert.Contains("encryptedSecret", xml);
            });
        }
    }

    [Fact]
    public async Task The_embedded_default_generates_its_certificate_once_in_the_key_folder_outside_the_database()
    {
        var folder = Path.Combine(Directory.CreateTempSubdirectory("portal-keyring").FullName, "keys");
        var connectionString = await SharedDatabaseFactory.NewDatabaseAsync(DatabaseProvider.Sqlite, "unused");
        var settings = new Dictionary<string, string> { ["DataProtection:KeyFolder"] = folder };
        await using var first = new SharedDatabaseFactory(DatabaseProvider.Sqlite, connectionString, settings);
        await first.InitializeAsync();
        var certificate = Path.Combine(folder, "dataprotection.pfx");
        Assert.True(File.Exists(certificate));
        var written = await File.ReadAllBytesAsync(certificate);
        var secret = first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Portal.Test").Protect("channel key");

        await using var second = new SharedDatabaseFactory(DatabaseProvider.Sqlite, connectionString, settings);
        await second.InitializeAsync();
        Assert.Equal(written, await File.ReadAllBytesAsync(certificate));
        Assert.Equal("channel key", second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Portal.Test").Unprotect(secret));
        await using var scope = second.Scope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        Assert.All(await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync(), xml => Assert.DoesNotContain("masterKey", xml));
    }

    [Fact]
    public async Task PostgreSQL_in_Production_without_a_certificate_refuses_to_start_and_says_what_to_set()
    {
        var connectionString = await SharedDatabaseFactory.NewDatabaseAsync(DatabaseProvider.Postgres, "portal_nocert");
        await using var host = new SharedDatabaseFactory(DatabaseProvider.Postgres, connectionString, environment: "Production");
        var failure = await Assert.ThrowsAnyAsync<InvalidOperationException>(host.InitializeAsync);
        Assert.Contains("DataProtection:CertificatePath is not set", failure.Message);
    }

    /// <summary>A key as Data Protection writes it without an encryptor (master key in clear), and a secret protected with it.</summary>
    private static (string KeyXml, string Protected) LegacyKey()
    {
        var directory = Directory.CreateTempSubdirectory("portal-legacy-keys");
        var legacy = DataProtectionProvider.Create(directory, b => b.SetApplicationName("Portal"));
        var protectedSecret = legacy.CreateProtector("Portal.Test").Protect("legacy secret");
        var xml = XElement.Load(directory.GetFiles("key-*.xml").Single().FullName).ToString(SaveOptions.DisableFormatting);
        Assert.Contains("masterKey", xml);
        return (xml, protectedSecret);
    }
}
