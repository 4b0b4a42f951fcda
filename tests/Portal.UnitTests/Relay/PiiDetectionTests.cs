using System.Diagnostics;
using System.Text;
using Portal.Core.Features.DataProtection;
using Portal.Core.Features.Kyc;
using Portal.Relay.Privacy;
using Portal.Relay.Protocols.Canonical;
using Portal.Relay.Streaming;
using Xunit.Abstractions;

namespace Portal.UnitTests.Relay;

/// <summary>
/// PII detection on a corpus of ordinary Chinese and English business text with planted identifiers (known positives)
/// and look-alikes that are not personal information (order and invoice numbers, amounts, dates, versions, numbers one
/// check digit off): precision and recall on the checksum-backed kinds must both reach 0.98.
/// </summary>
[Collection(nameof(PiiTiming))]
public sealed class PiiDetectionTests(ITestOutputHelper output)
{
    private sealed record Planted(string Text, PiiKind Kind);

    private sealed record Sample(string Text, IReadOnlyList<Planted> Positives);

    private static readonly PiiKind[] Checksummed = [PiiKind.IdCard, PiiKind.BankCard, PiiKind.CreditCode];

    private static string IdCard(Random rng, bool valid = true)
    {
        string[] regions = ["110105", "310104", "440305", "330106", "510107", "420111", "350102", "610113"];
        var birth = new DateOnly(1950, 1, 1).AddDays(rng.Next(0, 365 * 55));
        var first17 = regions[rng.Next(regions.Length)] + birth.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture) + rng.Next(0, 1000).ToString("D3", System.Globalization.CultureInfo.InvariantCulture);
        var check = ResidentIdNumber.ComputeCheckCharacter(first17);
        if (!valid) check = check == "X" ? "0" : check == "9" ? "X" : ((char)(check[0] + 1)).ToString();
        return first17 + check;
    }

    private static string IdCardEndingInX(Random rng)
    {
        while (true)
        {
            var id = IdCard(rng);
            if (id[^1] == 'X') return id;
        }
    }

    private static string LuhnComplete(string body)
    {
        for (var d = 0; d < 10; d++)
        {
            var candidate = body + (char)('0' + d);
            if (IsLuhn(candidate)) return candidate;
        }

        throw new UnreachableException();
    }

    private static bool IsLuhn(string digits)
    {
        var sum = 0;
        var alt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (alt && (d *= 2) > 9) d -= 9;
            sum += d;
            alt = !alt;
        }

        return sum % 10 == 0;
    }

    private static string Digits(Random rng, int count) => string.Concat(Enumerable.Range(0, count).Select(_ => (char)('0' + rng.Next(10))));

    private static string BankCard(Random rng, bool valid = true)
    {
        string[] bins = ["622202", "622848", "621700", "436742", "524091", "622588"];
        var length = rng.Next(2) == 0 ? 16 : 19;
        var card = LuhnComplete(bins[rng.Next(bins.Length)] + Digits(rng, length - 7));
        if (!valid) card = card[..^1] + (char)('0' + (card[^1] - '0' + 1) % 10);
        return card;
    }

    private static string Grouped(string card) => string.Join(' ', card.Chunk(4).Select(c => new string(c)));

    private static string CreditCode(Random rng, bool valid = true)
    {
        var code = UnifiedSocialCreditCode.Generate(rng);
        if (!valid) code = code[..^1] + (code[^1] == '0' ? '1' : '0');
        return code;
    }

    private static string Mobile(Random rng) => "1" + "3456789"[rng.Next(7)] + Digits(rng, 9);

    /// <summary>The corpus: each template filled with fresh planted values and look-alikes (seeded, so every run is the same).</summary>
    private static List<Sample> Corpus()
    {
        var rng = new Random(20261207);
        var samples = new List<Sample>();
        for (var round = 0; round < 60; round++)
        {
            var id = IdCard(rng);
            var card = BankCard(rng);
            var code = CreditCode(rng);
            var mobile = Mobile(rng);
            var order = "2026" + Digits(rng, 12);           // a 16-digit order number starting with a date
            var invoice = Digits(rng, 20);                   // a 全电发票 number
            var badId = IdCard(rng, valid: false);
            var badCard = BankCard(rng, valid: false);
            var badCode = CreditCode(rng, valid: false);
            var idX = IdCardEndingInX(rng);
            var email = $"zhang.san{round}@example-corp.com.cn";
            samples.Add(new Sample($"客户张三（身份证号 {id}）于 2026-11-{1 + round % 28:D2} 办理开户，预留手机 {mobile}，请核实。", [new(id, PiiKind.IdCard), new(mobile, PiiKind.Mobile)]));
            samples.Add(new Sample($"请将退款 ¥1,{round:D3}.50 打到尾号卡 {card}，订单号 {order}，发票号码 {invoice}。", [new(card, PiiKind.BankCard)]));
            samples.Add(new Sample($"Please wire the deposit to card {Grouped(card)} before Friday; reference PO-{Digits(rng, 8)}.", [new(Grouped(card), PiiKind.BankCard)]));
            samples.Add(new Sample($"供应商统一社会信用代码：{code}，开票金额 {rng.Next(1000, 99999)} 元，税率 6%。", [new(code, PiiKind.CreditCode)]));
            samples.Add(new Sample($"核对记录：证件号 {badId} 校验失败，卡号 {badCard} 无效，代码 {badCode} 不存在，订单 {order} 已发货。", []));
            samples.Add(new Sample($"Contact {email} or call +86 {mobile[..3]} {mobile[3..7]} {mobile[7..]} about contract v2.{round}.1, invoice {invoice}.", [new(email, PiiKind.Email), new($"+86 {mobile[..3]} {mobile[3..7]} {mobile[7..]}", PiiKind.Mobile)]));
            samples.Add(new Sample($"会议纪要：Q{1 + round % 4} 营收同比增长 {rng.Next(1, 40)}%，库存 {rng.Next(10000, 999999)} 件，时间 14:{round % 60:D2}:05，版本 1.2.{round}。", []));
            samples.Add(new Sample($"总部电话 010-{rng.Next(2, 10)}{Digits(rng, 7)}，服务器 192.168.{round % 256}.{(round * 7) % 256}，另一个身份证 {idX[..17]}x 已登记。",
                [new($"010-{""}", PiiKind.Landline), new($"192.168.{round % 256}.{(round * 7) % 256}", PiiKind.IpAddress), new(idX[..17] + "x", PiiKind.IdCard)]));
        }

        // The landline above is random: fill it in from the text.
        return samples.Select(s => new Sample(s.Text, s.Positives.Select(p => p.Kind == PiiKind.Landline && p.Text == "010-" ? new Planted(s.Text.Substring(s.Text.IndexOf("010-", StringComparison.Ordinal), 12), PiiKind.Landline) : p).ToList())).ToList();
    }

    [Fact]
    public void Corpus_precision_and_recall_on_checksum_backed_kinds_reach_0_98()
    {
        int truePositives = 0, falsePositives = 0, falseNegatives = 0, otherHits = 0, otherPlanted = 0;
        var findings = new List<PiiFinding>();
        foreach (var sample in Corpus())
        {
            findings.Clear();
            PiiScanner.Scan(sample.Text, findings);
            var found = findings.Select(f => new Planted(sample.Text.Substring(f.Start, f.Length), f.Kind)).ToList();
            foreach (var f in found.Where(f => Checksummed.Contains(f.Kind)))
                if (sample.Positives.Contains(f)) truePositives++;
                else
                {
                    falsePositives++;
                    output.WriteLine($"false positive {f.Kind}: {sample.Text}");
                }

            foreach (var p in sample.Positives.Where(p => Checksummed.Contains(p.Kind)).Where(p => !found.Contains(p)))
            {
                falseNegatives++;
                output.WriteLine($"missed {p.Kind} {p.Text}: {sample.Text}");
            }

            foreach (var p in sample.Positives.Where(p => !Checksummed.Contains(p.Kind)))
            {
                otherPlanted++;
                if (found.Contains(p)) otherHits++;
                else output.WriteLine($"missed {p.Kind} {p.Text}: {sample.Text}");
            }
        }

        var precision = truePositives / (double)(truePositives + falsePositives);
        var recall = truePositives / (double)(truePositives + falseNegatives);
        output.WriteLine($"checksum-backed kinds: precision {precision:F4}, recall {recall:F4} (TP {truePositives}, FP {falsePositives}, FN {falseNegatives}); other kinds recall {otherHits}/{otherPlanted}");
        Assert.True(precision >= 0.98, $"precision {precision:F4}");
        Assert.True(recall >= 0.98, $"recall {recall:F4}");
        Assert.True(otherHits >= otherPlanted * 0.98, $"other kinds {otherHits}/{otherPlanted}");
    }

    [Theory]
    [InlineData("手机 13812345678 2 份", "13812345678", PiiKind.Mobile)]
    [InlineData("电话：138-1234-5678。", "138-1234-5678", PiiKind.Mobile)]
    [InlineData("tel +8613912345678.", "+8613912345678", PiiKind.Mobile)]
    [InlineData("座机（0755）86001234 转", "（0755）86001234", PiiKind.Landline)]
    [InlineData("mail: a.b-c+d@mail.example.org,", "a.b-c+d@mail.example.org", PiiKind.Email)]
    [InlineData("host fe80::1ff:fe23:4567:890a ok", "fe80::1ff:fe23:4567:890a", PiiKind.IpAddress)]
    [InlineData("IP 2001:db8:0:0:0:0:2:1 up", "2001:db8:0:0:0:0:2:1", PiiKind.IpAddress)]
    [InlineData("护照 E12345678 有效", "E12345678", PiiKind.Passport)]
    [InlineData("护照号EA1234567。", "EA1234567", PiiKind.Passport)]
    [InlineData("手机 138 1234 5678 12345678901 号", "138 1234 5678", PiiKind.Mobile)]
    public void Finds_each_kind_in_its_usual_spellings(string text, string expected, PiiKind kind)
    {
        var findings = new List<PiiFinding>();
        PiiScanner.Scan(text, findings);
        var finding = Assert.Single(findings);
        Assert.Equal(kind, finding.Kind);
        Assert.Equal(expected, text.Substring(finding.Start, finding.Length));
    }

    [Theory]
    [InlineData("版本 1.2.3.4.5 发布")]
    [InlineData("at 12:30:45 the std::vector grew")]
    [InlineData("MAC 00:1A:2B:3C:4D:5E")]
    [InlineData("订单 20261207123456789012")]
    [InlineData("金额 13,812,345,678 元")]
    [InlineData("SKU ab13812345678cd")]
    [InlineData("data:image/png;base64,AAAA/13812345678+BBBB")]
    public void Ignores_look_alikes(string text)
    {
        var findings = new List<PiiFinding>();
        PiiScanner.Scan(text, findings);
        Assert.Empty(findings);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("a.")]
    [InlineData("1 ")]
    [InlineData("1-")]
    [InlineData("1234 ")]
    [InlineData("a:")]
    [InlineData("x@")]
    [InlineData("1.1.")]
    [InlineData("(0")]
    [InlineData("a1:")]
    [InlineData("[手机号_")]
    public void Hostile_input_is_scanned_in_linear_time(string unit)
    {
        // Quadratic work would take 256 times as long for 16 times the text; linear about 16 times (the machine is shared: generous).
        var small = string.Concat(Enumerable.Repeat(unit, 10_000));
        var large = string.Concat(Enumerable.Repeat(unit, 160_000));
        var findings = new List<PiiFinding>();
        PiiScanner.Scan(small, findings);
        var smallTime = Time(() => PiiScanner.Scan(small, findings));
        var largeTime = Time(() => PiiScanner.Scan(large, findings));
        output.WriteLine($"{unit}: {smallTime.TotalMilliseconds:F1} ms / {largeTime.TotalMilliseconds:F1} ms");
        Assert.True(largeTime < smallTime * 64 + TimeSpan.FromMilliseconds(100), $"{smallTime.TotalMilliseconds} ms → {largeTime.TotalMilliseconds} ms");

        var masker = new PiiMasker();
        using var masked = new PooledByteBuffer();
        masker.MaskJson(Encoding.UTF8.GetBytes("{\"input\":\"13812345678\"}"), masked);
        Assert.True(Time(() => masker.Restore(large)) < TimeSpan.FromSeconds(2));
    }

    /// <summary>The process's CPU time for <paramref name="action"/>, best of three: wall time on a loaded machine punishes long runs.</summary>
    private static TimeSpan Time(Action action)
    {
        var best = TimeSpan.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var process = Process.GetCurrentProcess();
            var before = process.TotalProcessorTime;
            action();
            process.Refresh();
            var cpu = process.TotalProcessorTime - before;
            if (cpu < best) best = cpu;
        }

        return best;
    }

    [Fact]
    public void Mask_gives_one_placeholder_per_value_across_the_body_and_restore_puts_them_back()
    {
        const string body = """{"model":"m","messages":[{"role":"user","content":"我的手机 13812345678，邮箱 li@example.com"},{"role":"tool","tool_call_id":"c1","content":"{\"phone\":\"13812345678\",\"other\":\"13987654321\"}"},{"role":"user","content":[{"type":"text","text":"再确认 13812345678"},{"type":"image_url","image_url":{"url":"data:image/png;base64,13812345678"}}]}]}""";
        var masker = new PiiMasker();
        using var masked = new PooledByteBuffer();
        Assert.True(masker.MaskJson(Encoding.UTF8.GetBytes(body), masked));
        var text = Encoding.UTF8.GetString(masked.WrittenSpan);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, "13812345678"));
        Assert.Contains("我的手机 [手机号_1]，邮箱 [邮箱_1]", text, StringComparison.Ordinal);
        Assert.Contains("""{\"phone\":\"[手机号_1]\",\"other\":\"[手机号_2]\"}""", text, StringComparison.Ordinal);
        Assert.Contains("再确认 [手机号_1]", text, StringComparison.Ordinal);
        Assert.Contains("data:image/png;base64,13812345678", text, StringComparison.Ordinal);
        using var _ = System.Text.Json.JsonDocument.Parse(text);
        Assert.Equal("Mobile:2,Email:1", masker.Counts.Encode());

        using var restored = new PooledByteBuffer();
        Assert.True(masker.RestoreJson(Encoding.UTF8.GetBytes("""{"content":"已记录 [手机号_1] 和 [邮箱_1]，[手机号_9] 未知"}"""), restored));
        Assert.Equal("""{"content":"已记录 13812345678 和 li@example.com，[手机号_9] 未知"}""", Encoding.UTF8.GetString(restored.WrittenSpan));
    }

    [Fact]
    public void A_placeholder_split_across_stream_events_is_restored()
    {
        var masker = new PiiMasker();
        using var masked = new PooledByteBuffer();
        Assert.True(masker.MaskJson("""{"input":"call 13812345678"}"""u8, masked));
        var encoder = new RecordingEncoder();
        var restoring = new StreamRestoring(masker);
        using var sink = new PooledByteBuffer();
        foreach (var e in new StreamEvent[] { new TextDelta("好的，[手"), new TextDelta("机号_"), new TextDelta("1] 已"), new TextDelta("记录 [x"), new MessageFinished(FinishReason.Stop) })
            restoring.Encode(e, encoder, sink);
        Assert.Equal("好的，13812345678 已记录 [x", string.Concat(encoder.Events.OfType<TextDelta>().Select(t => t.Text)));
        Assert.IsType<MessageFinished>(encoder.Events[^1]);
    }

    private sealed class RecordingEncoder : IStreamEncoder
    {
        public List<StreamEvent> Events { get; } = [];

        public void Encode(StreamEvent streamEvent, System.Buffers.IBufferWriter<byte> output) => Events.Add(streamEvent);

        public void EncodeError(UpstreamError error, System.Buffers.IBufferWriter<byte> output) { }
    }
}

/// <summary>The linear-time test measures CPU time: no other test class runs beside it.</summary>
[CollectionDefinition(nameof(PiiTiming), DisableParallelization = true)]
public sealed class PiiTiming;
