using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Core.Features.Payments.Alipay;

/// <summary>Builds the signed parameter set of a gateway call (common parameters + <c>biz_content</c>).</summary>
public sealed class AlipayRequestBuilder
{
    /// <summary>
    /// Relaxed escaping keeps Chinese readable in logs and in the gateway's isv.invalid-signature sub_msg;
    /// it is safe because the JSON only ever travels form-encoded or HTML-attribute-encoded.
    /// </summary>
    internal static readonly JsonSerializerOptions BizContentJson = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly AlipayOptions _options;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a builder; the time provider supplies the GMT+8 <c>timestamp</c>.</summary>
    public AlipayRequestBuilder(AlipayOptions options, TimeProvider timeProvider)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
    }

    /// <summary>Serialises business parameters the way they are signed and sent (snake_case, nulls omitted).</summary>
    public static string SerializeBizContent(object bizContent) =>
        JsonSerializer.Serialize(bizContent, bizContent.GetType(), BizContentJson);

    /// <summary>
    /// Returns every parameter to send, <c>sign</c> last, signed with <paramref name="privateKey"/>.
    /// Amounts inside <paramref name="bizContent"/> must already be strings (<see cref="AlipayAmount.Format"/>).
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> BuildSignedParameters(
        string method,
        object bizContent,
        RSA privateKey,
        string? notifyUrl = null,
        string? returnUrl = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(bizContent);
        var parameters = new List<KeyValuePair<string, string?>>
        {
            new("app_id", _options.AppId),
            new("method", method),
            new("format", "JSON"),
            new("charset", "utf-8"),
            new("sign_type", AlipaySignature.SignTypeRsa2),
            new("timestamp", AlipayTime.Format(_timeProvider.GetUtcNow())),
            new("version", "1.0"),
            new("notify_url", notifyUrl),
            new("return_url", returnUrl),
            new("biz_content", SerializeBizContent(bizContent)),
        };

        // Empty parameters are never sent: the gateway drops them from its sign content, some SDKs don't.
        var sent = parameters
            .Where(p => !string.IsNullOrEmpty(p.Value))
            .Select(p => new KeyValuePair<string, string>(p.Key, p.Value!))
            .ToList();
        var sign = AlipaySignature.Sign(AlipaySignature.BuildSignContent(parameters), privateKey);
        sent.Add(new("sign", sign));
        return sent;
    }
}
