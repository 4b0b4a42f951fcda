using Microsoft.AspNetCore.DataProtection;

namespace Portal.Core.Features.Catalog;

/// <summary>Encrypts upstream API keys at rest (ASP.NET Data Protection, keys in the database) and reads them back for the relay.</summary>
public sealed class ChannelSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector protector = provider.CreateProtector("Portal.Catalog.ChannelKey");

    public string Protect(string apiKey) => protector.Protect(apiKey);

    public string Unprotect(string protectedKey) => protector.Unprotect(protectedKey);

    /// <summary>What the UI may show of a key: its last 4 characters.</summary>
    public static string Last4(string apiKey) => apiKey.Length <= 4 ? apiKey : apiKey[^4..];
}
