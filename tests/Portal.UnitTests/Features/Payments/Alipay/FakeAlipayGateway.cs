using System.Net;
using System.Text;
using System.Text.Json;
using Portal.Core.Features.Payments.Alipay;

namespace Portal.UnitTests.Features.Payments.Alipay;

/// <summary>
/// An in-memory Alipay gateway built from the library's own server-side pieces, the way the app's simulator
/// will be: it checks the merchant's signature with key A's public half and signs answers with key B ("Alipay").
/// </summary>
internal sealed class FakeAlipayGateway : HttpMessageHandler
{
    public Func<string, JsonElement, object>? Answer { get; set; }

    public Exception? Failure { get; set; }

    public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

    public byte[]? BillZip { get; set; }

    public List<HttpRequestMessage> Requests { get; } = [];

    public List<string> Bodies { get; } = [];

    public AlipayGatewayRequest? LastRequest { get; private set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Requests.Add(request);
        if (Failure is not null)
        {
            throw Failure;
        }

        if (Status != HttpStatusCode.OK)
        {
            return new HttpResponseMessage(Status) { Content = new StringContent("<html>error</html>") };
        }

        if (request.Method == HttpMethod.Get)
        {
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(BillZip ?? []) };
        }

        var form = await request.Content!.ReadAsStringAsync(cancellationToken);
        Bodies.Add(form);
        var fields = form.Split('&').Select(pair => pair.Split('=', 2)).Select(kv =>
            new KeyValuePair<string, string?>(Decode(kv[0]), Decode(kv[1])));
        var parsed = AlipayGatewayRequest.Parse(fields);
        if (!parsed.IsSuccess)
        {
            return Json(AlipayGatewayResponse.BuildSignedFailureBody("unknown", parsed.Error, TestKeys.B));
        }

        LastRequest = parsed.Value;
        using (var merchantPublic = TestKeys.PublicOnly(TestKeys.A))
        {
            if (!parsed.Value.VerifySignature(merchantPublic))
            {
                return Json(AlipayGatewayResponse.BuildSignedFailureBody(parsed.Value.Method, parsed.Value.InvalidSignatureError(), TestKeys.B));
            }
        }

        using var biz = JsonDocument.Parse(parsed.Value.BizContent ?? "{}");
        var answer = Answer?.Invoke(parsed.Value.Method, biz.RootElement) ?? throw new InvalidOperationException("No answer configured.");
        return Json(answer as string ?? AlipayGatewayResponse.BuildSignedBody(parsed.Value.Method, answer, TestKeys.B));
    }

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));

    private static HttpResponseMessage Json(string body) =>
        new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "text/html") };
}
