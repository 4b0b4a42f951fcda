namespace Portal.Core.Features.Kyc;

/// <summary>Length limits shared by the validators, the UI and the database columns.</summary>
/// <remarks>Lengths count Unicode scalar values, so a rare CJK character outside the BMP counts once.</remarks>
public static class KycLimits
{
    public const int CompanyNameMaxLength = 100;
    public const int PersonNameMinLength = 2;
    public const int PersonNameMaxLength = 30;
    public const int RegisteredAddressMaxLength = 200;

    /// <summary>Largest accepted document (licence scan, ID photo, letter): 10 MB.</summary>
    public const long DocumentMaxBytes = 10L * 1024 * 1024;

    /// <summary>Longest rejection or revocation reason.</summary>
    public const int ReasonMaxLength = 500;
}
