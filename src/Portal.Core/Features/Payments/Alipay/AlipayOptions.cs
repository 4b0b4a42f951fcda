namespace Portal.Core.Features.Payments.Alipay;

/// <summary>
/// Settings bound from the "Alipay" configuration section. Keys are secrets: the private key signs
/// requests that move money, and the Alipay public key is what makes notifications trustworthy.
/// </summary>
public sealed class AlipayOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Alipay";

    /// <summary>Production gateway.</summary>
    public const string ProductionGateway = "https://openapi.alipay.com/gateway.do";

    /// <summary>The 2023+ sandbox gateway (the old openapi.alipaydev.com host is retired).</summary>
    public const string SandboxGateway = "https://openapi-sandbox.dl.alipaydev.com/gateway.do";

    /// <summary>Which environment to talk to.</summary>
    public AlipayMode Mode { get; set; } = AlipayMode.Simulator;

    /// <summary>Optional gateway override; required in <see cref="AlipayMode.Simulator"/>.</summary>
    public string? Gateway { get; set; }

    /// <summary>The APPID of the merchant application.</summary>
    public string AppId { get; set; } = "";

    /// <summary>App private key (RSA2048), PKCS#1 or PKCS#8, PEM or bare base64.</summary>
    public string PrivateKey { get; set; } = "";

    /// <summary>A file holding <see cref="PrivateKey"/> (same formats), instead of the key itself; relative to the content root.</summary>
    public string? PrivateKeyFile { get; set; }

    /// <summary>Alipay's public key (not the app public key), SubjectPublicKeyInfo or PKCS#1, PEM or bare base64.</summary>
    public string AlipayPublicKey { get; set; } = "";

    /// <summary>A file holding <see cref="AlipayPublicKey"/>, instead of the key itself.</summary>
    public string? AlipayPublicKeyFile { get; set; }

    /// <summary>Merchant PID (2088...). When set, notifications for another seller are rejected.</summary>
    public string? SellerId { get; set; }

    /// <summary>The gateway URL for <see cref="Mode"/>, or <see cref="Gateway"/> when it is set.</summary>
    /// <exception cref="InvalidOperationException">Simulator mode without a gateway.</exception>
    public string ResolveGateway()
    {
        if (!string.IsNullOrWhiteSpace(Gateway))
        {
            return Gateway.Trim();
        }

        return Mode switch
        {
            AlipayMode.Production => ProductionGateway,
            AlipayMode.Sandbox => SandboxGateway,
            _ => throw new InvalidOperationException("Alipay:Gateway must be set when Alipay:Mode is Simulator."),
        };
    }

    /// <summary>
    /// Configuration keys that must be set before the app may start. Simulator mode only needs a gateway,
    /// because the simulator can generate its own key pairs; a real gateway cannot work without the keys.
    /// </summary>
    public IEnumerable<string> MissingKeys()
    {
        if (Mode == AlipayMode.Simulator)
        {
            if (string.IsNullOrWhiteSpace(Gateway))
            {
                yield return "Alipay:Gateway";
            }

            yield break;
        }

        if (string.IsNullOrWhiteSpace(AppId))
        {
            yield return "Alipay:AppId";
        }

        if (string.IsNullOrWhiteSpace(PrivateKey))
        {
            yield return "Alipay:PrivateKey";
        }

        if (string.IsNullOrWhiteSpace(AlipayPublicKey))
        {
            yield return "Alipay:AlipayPublicKey";
        }
    }
}
