using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Recurrent.Bench;

/// <summary>
/// GFLOP/s of <see cref="Gemm"/> on the LSTM's products with 1 and 2 threads, beside OpenBLAS's measured
/// in the same run through numpy (bench/gemm_peer.py), and the ratio ours / OpenBLAS.
/// </summary>
/// <remarks>
/// Each figure is 2*M*N*K over the median time of one product, over several samples of many calls
/// (the machine is shared and noisy; medians resist that better than means).
/// Options: --quick (shorter samples), --no-peer, --path Avx512|Avx2|Vector128|Scalar,
/// --blocking KC,MC,NC (for the chosen path), --shapes lstm|all, --threads 1,2.
/// </remarks>
internal static class GemmBench
{
    private sealed record Shape(int M, int K, int N, string Op, string Use);

    // (M, K, N) and the transposes the LSTM uses for each; NN beside them where the LSTM's differs.
    private static readonly Shape[] LstmShapes =
    [
        new(32, 256, 1024, "NT", "gates from h, per step"),
        new(1120, 256, 1027, "NT", "logits"),
        new(256, 1120, 1024, "TN", "weight gradient"),
        new(1120, 1027, 256, "NN", "input gradient of logits"),
        new(1024, 1024, 1024, "NN", "square reference"),
    ];

    private static readonly Shape[] ExtraShapes =
    [
        new(32, 256, 1024, "NN", ""),
        new(1120, 256, 1027, "NN", ""),
        new(256, 1120, 1024, "NN", ""),
        new(1, 256, 1024, "NT", "generation, batch 1"),
    ];

    public static int Run(string[] args)
    {
        double seconds = 0.05;
        int samples = 11;
        bool peer = true;
        var shapes = LstmShapes.Concat(ExtraShapes).ToArray();
        int[] threadCounts = [1, 2];
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick": seconds = 0.02; samples = 7; break;
                case "--no-peer": peer = false; break;
                case "--path": Gemm.ForcedPath = Enum.Parse<GemmPath>(args[++i]); break;
                case "--blocking": SetBlocking(args[++i]); break;
                case "--shapes": shapes = args[++i] == "lstm" ? LstmShapes : shapes; break;
                case "--threads": threadCounts = args[++i].Split(',').Select(int.Parse).ToArray(); break;
                default:
                    Console.Error.WriteLine($"Unknown option '{args[i]}'.");
                    return 2;
            }
        }

        var path = Gemm.CurrentPath;
        Console.WriteLine($"GEMM benchmark: path {path}, blocking {Gemm.BlockingOf(path)}, " +
            $"{Environment.ProcessorCount} logical cores, median of {samples} samples of ~{seconds * 1000:F0} ms");

        var peerResults = new Dictionary<(Shape, int), double>();
        string? peerProblem = null;
        if (peer)
        {
            foreach (int threads in threadCounts)
            {
                peerProblem = RunPeer(shapes, threads, seconds, samples, peerResults);
                if (peerProblem != null) break;
            }
        }

        var ours = new Dictionary<(Shape, int), double>();
        int savedThreads = Parallelism.MaxThreads;
        try
        {
            foreach (int threads in threadCounts)
            {
                Parallelism.MaxThreads = threads;
                foreach (var shape in shapes) ours[(shape, threads)] = Measure(shape, seconds, samples);
            }
        }
        finally
        {
            Parallelism.MaxThreads = savedThreads;
        }

        PrintTable(shapes, threadCounts, ours, peerResults);
        Console.WriteLine($"Load average (1 min) at the end: {LoadAverage()} (another process on the cores depresses the 2-thread figures)");
        if (peerProblem != null) Console.WriteLine($"OpenBLAS not measured: {peerProblem}");
        return 0;
    }

    private static void SetBlocking(string spec)
    {
        var parts = spec.Split(',').Select(int.Parse).ToArray();
        var blocking = new GemmBlocking(parts[0], parts[1], parts[2]);
        switch (Gemm.CurrentPath)
        {
            case GemmPath.Avx512: Gemm.Avx512Blocking = blocking; break;
            case GemmPath.Avx2: Gemm.Avx2Blocking = blocking; break;
            default: Gemm.PortableBlocking = blocking; break;
        }
    }

    private static double Measure(Shape s, double seconds, int samples)
    {
        bool ta = s.Op[0] == 'T', tb = s.Op[1] == 'T';
        var rng = new Rng(1);
        var a = new float[s.M * s.K];
        var b = new float[s.K * s.N];
        var c = new float[s.M * s.N];
        rng.FillNormal(a, 0f, 1f);
        rng.FillNormal(b, 0f, 1f);
        int lda = ta ? s.M : s.K, ldb = tb ? s.K : s.N;
        void Call() => Gemm.Multiply(ta, tb, s.M, s.N, s.K, 1f, a, lda, b, ldb, 0f, c, s.N);

        // Warm up long enough for tiered compilation to finish with this shape's code paths.
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < 3 || Stopwatch.GetElapsedTime(start).TotalSeconds < 0.3; i++) Call();
        start = Stopwatch.GetTimestamp();
        Call();
        double once = Math.Max(Stopwatch.GetElapsedTime(start).TotalSeconds, 1e-7);
        int calls = Math.Max(1, (int)(seconds / once));
        var times = new double[samples];
        for (int r = 0; r < samples; r++)
        {
            start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++) Call();
            times[r] = Stopwatch.GetElapsedTime(start).TotalSeconds / calls;
        }
        Array.Sort(times);
        return 2.0 * s.M * s.N * s.K / times[samples / 2] / 1e9;
    }

    /// <summary>Runs gemm_peer.py with OPENBLAS_NUM_THREADS = threads; returns why not, or null when it worked.</summary>
    private static string? RunPeer(Shape[] shapes, int threads, double seconds, int samples,
        Dictionary<(Shape, int), double> results)
    {
        const string Python = "/usr/bin/python3";
        string script = PeerScript();
        if (!File.Exists(Python)) return $"{Python} is missing";
        if (!File.Exists(script)) return $"{script} is missing";
        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(seconds.ToString(CultureInfo.InvariantCulture));
        info.ArgumentList.Add(samples.ToString(CultureInfo.InvariantCulture));
        foreach (var s in shapes) info.ArgumentList.Add($"{s.M},{s.K},{s.N},{s.Op}");
        info.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
        info.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            string error = stderr.Result.Trim().Split('\n').LastOrDefault() ?? "";
            return $"{Python} {Path.GetFileName(script)} failed ({error})";
        }
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ');
            if (f.Length != 6 || f[0] != "peer") continue;
            var shape = shapes.FirstOrDefault(s => s.M == int.Parse(f[1]) && s.K == int.Parse(f[2]) && s.N == int.Parse(f[3]) && s.Op == f[4]);
            if (shape != null) results[(shape, threads)] = double.Parse(f[5], CultureInfo.InvariantCulture);
        }
        return null;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private static string PeerScript([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "gemm_peer.py"));

    private static void PrintTable(Shape[] shapes, int[] threadCounts,
        Dictionary<(Shape, int), double> ours, Dictionary<(Shape, int), double> peer)
    {
        var header = new List<string> { "(M, K, N)", "op" };
        foreach (int t in threadCounts) header.AddRange([$"ours {t}T", $"BLAS {t}T", $"ratio {t}T"]);
        header.Add("use");
        var rows = new List<string[]> { header.ToArray() };
        foreach (var s in shapes)
        {
            var row = new List<string> { $"({s.M}, {s.K}, {s.N})", s.Op };
            foreach (int t in threadCounts)
            {
                double o = ours[(s, t)];
                row.Add(o.ToString("F1", CultureInfo.InvariantCulture));
                if (peer.TryGetValue((s, t), out double p))
                {
                    row.Add(p.ToString("F1", CultureInfo.InvariantCulture));
                    row.Add((o / p).ToString("P0", CultureInfo.InvariantCulture));
                }
                else
                {
                    row.AddRange(["-", "-"]);
                }
            }
            row.Add(s.Use);
            rows.Add(row.ToArray());
        }
        var widths = Enumerable.Range(0, header.Count).Select(c => rows.Max(r => r[c].Length)).ToArray();
        Console.WriteLine("GFLOP/s (2*M*N*K / median time); ratio = ours / OpenBLAS");
        foreach (var r in rows)
            Console.WriteLine(string.Join("  ", r.Select((x, c) => c < 2 || c == r.Length - 1 ? x.PadRight(widths[c]) : x.PadLeft(widths[c]))).TrimEnd());
    }
}
