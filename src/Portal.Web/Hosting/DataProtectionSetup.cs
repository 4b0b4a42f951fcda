using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Common;
using Portal.Core.Data;

namespace Portal.Web.Hosting;

/// <summary>The "DataProtection" section: the certificate that encrypts the key ring at rest.</summary>
public sealed class KeyRingOptions
{
    public const string Section = "DataProtection";

    /// <summary>A PKCS#12 (PFX) file with the certificate and its private key; relative to the content root.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PFX's password (or <see cref="CertificatePasswordFile"/>); empty for none.</summary>
    public string? CertificatePassword { get; set; }

    public string? CertificatePasswordFile { get; set; }

    /// <summary>Where a generated certificate is kept (<c>dataprotection.pfx</c>), outside the database; relative to the content root.</summary>
    public string KeyFolder { get; set; } = "data/keys";

    /// <summary>
    /// Generate a certificate in <see cref="KeyFolder"/> when none is configured, even on PostgreSQL in Production
    /// (one host, or a folder every replica shares). Off by default there: replicas must share one certificate.
    /// </summary>
    public bool GenerateCertificate { get; set; }
}

/// <summary>
/// ASP.NET Data Protection with its key ring in the database (every replica reads every cookie and secret) and
/// every key encrypted at rest with a certificate kept outside the database: the configured PFX, or on the embedded
/// default (SQLite, or anything outside Production) a self-signed one generated once in <c>data/keys</c>. On
/// PostgreSQL in Production without a certificate the portal refuses to start.
/// </summary>
public static class DataProtectionSetup
{
    public const string GeneratedCertificateName = "dataprotection.pfx";

    public static WebApplicationBuilder AddPortalDataProtection(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(KeyRingOptions.Section).Get<KeyRingOptions>() ?? new KeyRingOptions();
        var provider = builder.Configuration.GetValue("Database:Provider", DatabaseProvider.Sqlite);
        var certificate = LoadCertificate(options, provider, builder.Environment);
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddDataProtection()
            .PersistKeysToDbContext<PortalDbContext>()
            .SetApplicationName("Portal")
            .ProtectKeysWithCertificate(certificate);
        builder.Services.AddScoped<IStartupTask, KeyRingEncryption>();
        return builder;
    }

    internal static X509Certificate2 LoadCertificate(KeyRingOptions options, DatabaseProvider provider, IHostEnvironment environment)
    {
        var root = environment.ContentRootPath;
        if (!string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            var path = Path.GetFullPath(options.CertificatePath, root);
            var password = SecretSource.Resolve("DataProtection:CertificatePassword", options.CertificatePassword, options.CertificatePasswordFile, root);
            X509Certificate2 configured;
            try
            {
                configured = X509CertificateLoader.LoadPkcs12FromFile(path, password.Length == 0 ? null : password);
            }
            catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"DataProtection:CertificatePath: cannot load {path}: {ex.Message}", ex);
            }

            return configured.HasPrivateKey
                ? configured
                : throw new InvalidOperationException($"DataProtection:CertificatePath: {path} holds no private key; the key ring cannot be decrypted with it.");
        }

        if (provider == DatabaseProvider.Postgres && environment.IsProduction() && !options.GenerateCertificate)
        {
            throw new InvalidOperationException(
                "DataProtection:CertificatePath is not set. On PostgreSQL in Production the Data Protection key ring in the database must be " +
                "encrypted with a certificate kept outside it: set DataProtection:CertificatePath (a PFX with its private key, the same on every " +
                "replica) and DataProtection:CertificatePassword, or set DataProtection:GenerateCertificate=true with DataProtection:KeyFolder on " +
                "storage every replica shares.");
        }

        return LoadOrGenerate(Path.GetFullPath(options.KeyFolder, root));
    }

    /// <summary>The certificate in <paramref name="folder"/>, created first if missing (safe when several processes start at once).</summary>
    internal static X509Certificate2 LoadOrGenerate(string folder)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, GeneratedCertificateName);
        if (!File.Exists(path))
        {
            using var rsa = RSA.Create(3072);
            var request = new CertificateRequest("CN=Portal Data Protection", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: true));
            using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(100));
            var temporary = Path.Combine(folder, $".{Guid.NewGuid():N}.tmp");
            File.WriteAllBytes(temporary, created.Export(X509ContentType.Pkcs12));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            try
            {
                // NOTE: a move that refuses to overwrite: of processes generating at once, the first one's file wins
                // and the others load it, so every process ends up with the same certificate.
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary);
            }
        }

        return X509CertificateLoader.LoadPkcs12FromFile(path, null);
    }
}

/// <summary>
/// Encrypts key ring entries written before a certificate was configured (their master keys were stored in clear):
/// each plaintext secret element is replaced by the configured encryptor's <c>encryptedSecret</c>, exactly as Data
/// Protection writes a new key, so the keys keep decrypting everything they protected. Runs at start-up; idempotent.
/// </summary>
public sealed class KeyRingEncryption(IDbContextFactory<PortalDbContext> dbFactory, IOptions<KeyManagementOptions> keyManagement, ILogger<KeyRingEncryption> logger) : IStartupTask
{
    private static readonly XNamespace DataProtection = "http://schemas.asp.net/2015/03/dataProtection";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var encryptor = keyManagement.Value.XmlEncryptor ?? throw new InvalidOperationException("Data Protection has no key encryptor configured.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.DataProtectionKeys.Where(k => k.Xml != null && k.Xml.Contains("requiresEncryption")).ToListAsync(cancellationToken);
        var encrypted = 0;
        foreach (var row in rows)
        {
            var key = XElement.Parse(row.Xml!);
            var secrets = key.Descendants().Where(e => (string?)e.Attribute(DataProtection + "requiresEncryption") == "true").ToList();
            if (secrets.Count == 0) continue;
            foreach (var secret in secrets)
            {
                var info = encryptor.Encrypt(new XElement(secret));
                secret.ReplaceWith(new XElement(DataProtection + "encryptedSecret",
                    new XAttribute("decryptorType", info.DecryptorType.AssemblyQualifiedName!), info.EncryptedElement));
            }

            row.Xml = key.ToString(SaveOptions.DisableFormatting);
            encrypted++;
        }

        await db.SaveChangesAsync(cancellationToken);
        if (encrypted > 0) logger.LogInformation("Encrypted {Count} Data Protection keys that were stored in clear", encrypted);
    }
}
