using System.Diagnostics;
using Portal.Relay.Tokens;
using Portal.UnitTests.Relay.Tokens;

/// <summary>
/// Token counting of one 8 MiB <c>/v1/embeddings</c> body per text shape — ordinary English, Chinese, code and mixed
/// text, and pathological shapes (unbroken runs, high-entropy text) that made byte-pair encoding quadratic — as the
/// relay counts it before admission. Reports the process CPU time of each count, its ratio to the slowest ordinary
/// shape, and the worst time against the 1 s target. No database.
///   dotnet run -c Release --project tests/Portal.Benchmarks -- metering [--runs 3] [--mib 8]
/// </summary>
internal static class MeteringBenchmark
{
    private static readonly TimeSpan Target = TimeSpan.FromSeconds(1);

    public static int Run()
    {
        var runs = BenchmarkArgs.Int("--runs", 3);
        var bytes = BenchmarkArgs.Int("--mib", 8) * 1024 * 1024;
        Console.WriteLine($"Counting {bytes / (1024 * 1024)} MiB embeddings bodies, best of {runs} run(s) per shape, {Environment.ProcessorCount} cores");
        TokenCounter.Shared.CountText("warm up both tokenizers", TokenEncoding.O200kBase);
        TokenCounter.Shared.CountText("warm up both tokenizers", TokenEncoding.Cl100kBase);

        var results = new List<(string Shape, bool Ordinary, TimeSpan Cpu, TimeSpan Wall, int Tokens)>();
        foreach (var (shape, ordinary) in MeteringTexts.OrdinaryKinds.Select(k => (k, true)).Concat(MeteringTexts.PathologicalKinds.Select(k => (k, false))))
        {
            var text = ordinary ? MeteringTexts.Ordinary(shape, bytes - 100) : MeteringTexts.Pathological(shape, bytes - 100);
            var body = MeteringTexts.EmbeddingsBody(text, bytes);
            var best = (Cpu: TimeSpan.MaxValue, Wall: TimeSpan.MaxValue, Tokens: 0);
            for (var run = 0; run < runs; run++)
            {
                var process = Process.GetCurrentProcess();
                var cpuBefore = process.TotalProcessorTime;
                var wall = Stopwatch.StartNew();
                var tokens = TokenCounter.Shared.CountEmbeddingsInput(body, TokenEncoding.O200kBase);
                wall.Stop();
                process.Refresh();
                var cpu = process.TotalProcessorTime - cpuBefore;
                if (cpu < best.Cpu) best = (cpu, wall.Elapsed, tokens);
            }

            results.Add((shape, ordinary, best.Cpu, best.Wall, best.Tokens));
            Console.WriteLine($"  {(ordinary ? "ordinary" : "pathological"),-12} {shape,-16} {body.Length / 1048576.0,5:F2} MiB  {best.Cpu.TotalMilliseconds,7:F0} ms CPU  {best.Wall.TotalMilliseconds,7:F0} ms wall  {best.Tokens,10:N0} tokens");
        }

        var ordinaryWorst = results.Where(r => r.Ordinary).Max(r => r.Cpu);
        var worst = results.MaxBy(r => r.Cpu);
        var worstPathological = results.Where(r => !r.Ordinary).MaxBy(r => r.Cpu);
        Console.WriteLine($"Worst ordinary: {ordinaryWorst.TotalMilliseconds:F0} ms CPU; worst pathological: {worstPathological.Shape} {worstPathological.Cpu.TotalMilliseconds:F0} ms CPU " +
                          $"({worstPathological.Cpu.TotalMilliseconds / Math.Max(1, ordinaryWorst.TotalMilliseconds):F2}× the worst ordinary)");
        Console.WriteLine($"Worst of all: {worst.Shape} {worst.Cpu.TotalMilliseconds:F0} ms CPU — target < {Target.TotalMilliseconds:F0} ms: {(worst.Cpu < Target ? "PASS" : "FAIL")}");
        return worst.Cpu < Target ? 0 : 1;
    }
}
