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
        foreach (int n in new[] { 8, 16, 32, 64, 128, 256, 1024 }) shapes.Add((32, 256, n, "NT"));
        foreach (int s in new[] { 24, 32, 40, 48, 56, 64, 96, 128 }) shapes.Add((s, s, s, "NN"));
        foreach (int n in new[] { 64, 128, 256, 512, 1024 }) shapes.Add((1, 256, n, "NT"));
        foreach (int n in new[] { 128, 256, 512 }) shapes.Add((1, 256, n, "NN"));

        Console.WriteLine("(M, K, N)          op   M*N*K   1 thread us  2 threads us  speed-up");
        long savedThreshold = Gemm.ParallelThreshold;
        int savedThreads = Parallelism.MaxThreads;
        try
        {
            Gemm.ParallelThreshold = 0;
            var monitor = new CpuMonitor();
            foreach (var (m, k, n, op) in shapes)
            {
                // One and two threads in alternation, so that both see the same load from other processes;
                // a round during which other processes held the CPU is dropped and another one run.
                var product = new Product(m, k, n, op);
                product.WarmUp();
                var one = new List<double>();
                var two = new List<double>();
                int clean = 0, round = 0;
                for (; clean < 4 && round < 30; round++)
                {
                    var before = monitor.Take();
                    Parallelism.MaxThreads = 1;
                    var t1 = product.Times(0.05);
                    Parallelism.MaxThreads = 2;
                    var t2 = product.Times(0.05);
                    if (CpuMonitor.ForeignCores(before, monitor.Take()) > 0.1) continue;
                    clean++;
                    one.AddRange(t1);
                    two.AddRange(t2);
                }
                if (clean == 0)
                {
                    Console.WriteLine($"({m}, {k}, {n}) {op}: no round free of other processes' load in {round}");
                    continue;
                }
                double m1 = Median(one), m2 = Median(two);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{$"({m}, {k}, {n})",-18} {op}  {(long)m * n * k,8}  {m1,11:F2}  {m2,12:F2}  {m1 / m2,8:F2}"));
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

    private static double Median(List<double> times)
    {
        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>One product's operands, timed one call at a time, back to back as the LSTM issues them.</summary>
    private sealed class Product
    {
        private readonly int _m, _k, _n;
        private readonly bool _ta, _tb;
        private readonly float[] _a, _b, _c;

        public Product(int m, int k, int n, string op)
        {
            (_m, _k, _n, _ta, _tb) = (m, k, n, op[0] == 'T', op[1] == 'T');
            _a = new float[m * k];
            _b = new float[k * n];
            _c = new float[m * n];
            new Rng(2).FillNormal(_a, 0f, 1f);
            new Rng(3).FillNormal(_b, 0f, 1f);
        }

        /// <summary>Runs long enough for tiered compilation to finish with this product's code, on 1 and 2 threads.</summary>
        public void WarmUp()
        {
            foreach (int threads in new[] { 1, 2 })
            {
                Parallelism.MaxThreads = threads;
                long start = Stopwatch.GetTimestamp();
                while (Stopwatch.GetElapsedTime(start).TotalSeconds < 0.15) Call();
            }
        }

        /// <summary>Microseconds of each call made during <paramref name="seconds"/>.</summary>
        public List<double> Times(double seconds)
        {
            var times = new List<double>();
            long start = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(start).TotalSeconds < seconds)
            {
                long t = Stopwatch.GetTimestamp();
                Call();
                times.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
            }
            return times;
        }

        private void Call() => Gemm.Multiply(_ta, _tb, _m, _n, _k, 1f, _a, _ta ? _m : _k, _b, _tb ? _k : _n, 0f, _c, _n);
    }
}
