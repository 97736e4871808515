using System.Diagnostics;
using System.Globalization;

namespace Recurrent.Bench;

/// <summary>
/// Where two threads start to pay: microseconds per product with 1 thread and with 2 (the parallel
/// threshold lifted) for growing products of the shapes the LSTM uses, to set <see cref="Gemm.ParallelThreshold"/>.
/// </summary>
internal static class GemmCutoffBench
{
    public static int Run(string[] args)
    {
        var shapes = new List<(int M, int K, int N, string Op)>();
        foreach (int n in new[] { 32, 64, 128, 256, 512, 1024 }) shapes.Add((32, 256, n, "NT"));
        foreach (int s in new[] { 16, 24, 32, 48, 64, 96, 128 }) shapes.Add((s, s, s, "NN"));
        foreach (int n in new[] { 128, 256, 512, 1024, 2048 }) shapes.Add((1, 256, n, "NT"));

        Console.WriteLine("(M, K, N)          op   M*N*K   1 thread us  2 threads us  speed-up");
        long savedThreshold = Gemm.ParallelThreshold;
        int savedThreads = Parallelism.MaxThreads;
        try
        {
            Gemm.ParallelThreshold = 0;
            foreach (var (m, k, n, op) in shapes)
            {
                Parallelism.MaxThreads = 1;
                double one = Median(m, k, n, op);
                Parallelism.MaxThreads = 2;
                double two = Median(m, k, n, op);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{$"({m}, {k}, {n})",-18} {op}  {(long)m * n * k,8}  {one,11:F2}  {two,12:F2}  {one / two,8:F2}"));
            }
        }
        finally
        {
            Gemm.ParallelThreshold = savedThreshold;
            Parallelism.MaxThreads = savedThreads;
        }
        Console.WriteLine($"Current threshold: {savedThreshold} multiply-adds. Load average (1 min): " +
            (File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown"));
        return 0;
    }

    // Median over many single calls, back to back as the LSTM issues them.
    private static double Median(int m, int k, int n, string op)
    {
        bool ta = op[0] == 'T', tb = op[1] == 'T';
        var a = new float[m * k];
        var b = new float[k * n];
        var c = new float[m * n];
        new Rng(2).FillNormal(a, 0f, 1f);
        new Rng(3).FillNormal(b, 0f, 1f);
        int lda = ta ? m : k, ldb = tb ? k : n;
        var times = new List<double>();
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(start).TotalSeconds < 0.4 || times.Count < 200)
        {
            long t = Stopwatch.GetTimestamp();
            Gemm.Multiply(ta, tb, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);
            times.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
        }
        var kept = times.Skip(times.Count / 2).Order().ToArray(); // the second half, after tier-up
        return kept[kept.Length / 2];
    }
}
