using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace Recurrent.Bench;

/// <summary>
/// GFLOP/s of <see cref="Gemm"/> on the LSTM's products with 1 and 2 threads, beside OpenBLAS's measured
/// in the same run through numpy (bench/gemm_peer.py), and the ratio ours / OpenBLAS.
/// </summary>
/// <remarks>
/// The machine is shared and its load comes and goes, so the two sides are measured in alternation: in
/// each round, every shape and thread count is timed for a few samples on our side and then on
/// OpenBLAS's (one persistent numpy process per thread count), and each figure is 2*M*N*K over the
/// median time per product of all its samples. Blocks of samples during which other processes used the
/// CPU are set aside (see <see cref="CpuMonitor"/>) and more rounds are run to replace them.
/// Options: --quick (fewer, shorter samples), --no-peer, --path Avx512|Avx2|Vector128|Scalar,
/// --blocking KC,MC,NC (for the chosen path), --shapes lstm|words|all, --threads 1,2.
/// </remarks>
internal static class GemmBench
{
    private sealed record Shape(int M, int K, int N, string Op, string Use)
    {
        public bool TransA => Op[0] == 'T';
        public bool TransB => Op[1] == 'T';
        public double Flop => 2.0 * M * N * K;
    }

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
        new(32, 1024, 256, "NN", "LstmLayer step backward, dH = dZ W_hh"),
        new(1024, 1120, 256, "TN", "LstmLayer dW_hh = dZ^T H"),
        new(1027, 1120, 256, "TN", "dense weight gradient dC^T X"),
        new(32, 256, 1024, "NN", ""),
        new(1120, 256, 1027, "NN", ""),
        new(256, 1120, 1024, "NN", ""),
        new(1, 256, 1024, "NT", "generation, batch 1"),
    ];

    // The dense layer of the word model (`words`): 400 predictions per minibatch, H = 200, V = 6951.
    private static readonly Shape[] WordShapes =
    [
        new(400, 200, 6951, "NT", "words: logits"),
        new(400, 6951, 200, "NN", "words: input gradient of logits"),
        new(6951, 400, 200, "TN", "words: dense weight gradient"),
        new(20, 200, 800, "NT", "words: gates from h, per step"),
        new(20, 800, 200, "NN", "words: step backward"),
        new(800, 400, 200, "TN", "words: dW_hh"),
    ];

    public static int Run(string[] args)
    {
        double seconds = 0.03;
        int samples = 5, rounds = 3;
        bool usePeer = true;
        var shapes = LstmShapes.Concat(ExtraShapes).ToArray();
        int[] threadCounts = [1, 2];
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick": (seconds, samples, rounds) = (0.02, 3, 2); break;
                case "--no-peer": usePeer = false; break;
                case "--path": Gemm.ForcedPath = Enum.Parse<GemmPath>(args[++i]); break;
                case "--blocking": SetBlocking(args[++i]); break;
                case "--shapes": shapes = args[++i] switch { "lstm" => LstmShapes, "words" => WordShapes, _ => shapes }; break;
                case "--threads": threadCounts = args[++i].Split(',').Select(int.Parse).ToArray(); break;
                default:
                    Console.Error.WriteLine($"Unknown option '{args[i]}'.");
                    return 2;
            }
        }

        var path = Gemm.CurrentPath;
        Console.WriteLine($"GEMM benchmark: path {path}, blocking {Gemm.BlockingOf(path)} from {CacheSizes.Machine}, " +
            $"{Environment.ProcessorCount} logical cores, median of {rounds} x {samples} samples of ~{seconds * 1000:F0} ms, " +
            $"load average (1 min) at the start {LoadAverage()}");

        // The limit every figure is a fraction of: the FMA peak of this path, measured now, per thread count.
        var peaks = threadCounts.ToDictionary(t => t, t => FmaPeak.Measure(path, t));
        Console.WriteLine("FMA peak of the " + path + " path: " + string.Join(", ", threadCounts.Select(t => $"{peaks[t]:F1} GFLOP/s with {t} thread{(t == 1 ? "" : "s")}")));

        var peers = new Dictionary<int, Peer>();
        string? peerProblem = null;
        if (usePeer)
        {
            foreach (int threads in threadCounts)
            {
                var peer = Peer.Start(threads, out peerProblem);
                if (peer == null) break;
                peers[threads] = peer;
            }
        }

        // Samples taken while other processes held more than a tenth of a core are kept apart, and used
        // only for a figure that has no clean sample at all (marked * in the table). While we measure, the
        // numpy processes count as other processes too: OpenBLAS's threads spin for a while after a product.
        const double MaxForeignCores = 0.1;
        var ourMonitor = new CpuMonitor();
        var peerMonitor = new CpuMonitor();
        foreach (var peer in peers.Values) peerMonitor.AddOwn(peer.ProcessId);
        var ours = new Dictionary<(Shape, int), List<double>>();
        var theirs = new Dictionary<(Shape, int), List<double>>();
        var oursLoaded = new Dictionary<(Shape, int), List<double>>();
        var theirsLoaded = new Dictionary<(Shape, int), List<double>>();
        int blocks = 0, cleanBlocks = 0;
        var operands = shapes.ToDictionary(s => s, s => new Operands(s));
        int savedThreads = Parallelism.MaxThreads;
        try
        {
            // Rounds go on (up to four times the planned number) until every figure has its planned
            // number of clean blocks; a figure that has them is not measured again.
            var cleanCount = new Dictionary<(Shape, int), int>();
            for (int round = 0; round < 4 * rounds; round++)
            {
                if (round >= rounds && shapes.All(s => threadCounts.All(t => cleanCount.GetValueOrDefault((s, t)) >= rounds)))
                    break;
                foreach (var shape in shapes)
                {
                    foreach (int threads in threadCounts)
                    {
                        if (round >= rounds && cleanCount.GetValueOrDefault((shape, threads)) >= rounds) continue;
                        Parallelism.MaxThreads = threads;
                        operands[shape].WarmUp();
                        var before = ourMonitor.Take();
                        var our = operands[shape].Samples(seconds, samples);
                        bool clean = CpuMonitor.ForeignCores(before, ourMonitor.Take()) <= MaxForeignCores;
                        double[]? their = null;
                        if (peerProblem == null && peers.TryGetValue(threads, out var peer))
                        {
                            before = peerMonitor.Take();
                            their = peer.Samples(shape, seconds, samples, out peerProblem);
                            clean &= CpuMonitor.ForeignCores(before, peerMonitor.Take()) <= MaxForeignCores;
                            // Let OpenBLAS's threads stop spinning (about 0.1 s by default) before our next samples.
                            Thread.Sleep(150);
                        }
                        blocks++;
                        if (clean)
                        {
                            cleanBlocks++;
                            cleanCount[(shape, threads)] = cleanCount.GetValueOrDefault((shape, threads)) + 1;
                        }
                        Add(clean ? ours : oursLoaded, (shape, threads), our);
                        if (their != null) Add(clean ? theirs : theirsLoaded, (shape, threads), their);
                    }
                }
            }
        }
        finally
        {
            Parallelism.MaxThreads = savedThreads;
            foreach (var peer in peers.Values) peer.Dispose();
        }

        PrintTable(shapes, threadCounts, peaks, ours, oursLoaded, peerProblem == null ? theirs : [], peerProblem == null ? theirsLoaded : []);
        if (peerProblem != null) Console.WriteLine($"OpenBLAS not measured: {peerProblem}");
        Console.WriteLine(CpuMonitor.Available
            ? $"{cleanBlocks} of {blocks} measurement blocks ran with other processes under {MaxForeignCores} core; " +
              "* marks a figure from loaded blocks only."
            : "Load of other processes unknown (no /proc/stat).");
        return 0;
    }

    private static void Add(Dictionary<(Shape, int), List<double>> into, (Shape, int) key, IEnumerable<double> times)
    {
        if (!into.TryGetValue(key, out var list)) into[key] = list = [];
        list.AddRange(times);
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

    /// <summary>Our side of one shape: its operands, warmed up on first use.</summary>
    private sealed class Operands(Shape s)
    {
        private readonly float[] _a = Random(s.M * s.K, 1);
        private readonly float[] _b = Random(s.K * s.N, 2);
        private readonly float[] _c = new float[s.M * s.N];
        private readonly HashSet<int> _warm = [];

        private static float[] Random(int length, ulong seed)
        {
            var x = new float[length];
            new Rng(seed).FillNormal(x, 0f, 1f);
            return x;
        }

        private void Call() => Gemm.Multiply(s.TransA, s.TransB, s.M, s.N, s.K, 1f,
            _a, s.TransA ? s.M : s.K, _b, s.TransB ? s.K : s.N, 0f, _c, s.N);

        /// <summary>On first use with this thread count, runs long enough for tiered compilation to finish with this shape's code.</summary>
        public void WarmUp()
        {
            long start = Stopwatch.GetTimestamp();
            if (_warm.Add(Parallelism.MaxThreads))
                for (int i = 0; i < 3 || Stopwatch.GetElapsedTime(start).TotalSeconds < 0.3; i++) Call();
        }

        /// <summary>Seconds per product in each of <paramref name="count"/> samples of about <paramref name="seconds"/>.</summary>
        public double[] Samples(double seconds, int count)
        {
            long start = Stopwatch.GetTimestamp();
            Call();
            int calls = Math.Max(1, (int)(seconds / Math.Max(Stopwatch.GetElapsedTime(start).TotalSeconds, 1e-7)));
            var times = new double[count];
            for (int r = 0; r < count; r++)
            {
                start = Stopwatch.GetTimestamp();
                for (int i = 0; i < calls; i++) Call();
                times[r] = Stopwatch.GetElapsedTime(start).TotalSeconds / calls;
            }
            return times;
        }
    }

    /// <summary>A numpy process serving measurements (gemm_peer.py --serve) with a fixed OpenBLAS thread count.</summary>
    private sealed class Peer : IDisposable
    {
        private const string Python = "/usr/bin/python3";
        private readonly Process _process;

        private Peer(Process process) => _process = process;

        public int ProcessId => _process.Id;

        public static Peer? Start(int threads, out string? problem)
        {
            string script = Script();
            problem = !File.Exists(Python) ? $"{Python} is missing" : !File.Exists(script) ? $"{script} is missing" : null;
            if (problem != null) return null;
            var info = new ProcessStartInfo(Python)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.ArgumentList.Add(script);
            info.ArgumentList.Add("--serve");
            info.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
            info.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
            var process = Process.Start(info)!;
            // Wait for numpy to load, so that the start-up does not overlap our first samples.
            string? ready = process.StandardOutput.ReadLine();
            if (ready == "ready") return new Peer(process);
            process.WaitForExit(5000);
            string error = process.StandardError.ReadToEnd().Trim().Split('\n').LastOrDefault() ?? "";
            problem = $"{Python} {Path.GetFileName(script)} failed ({(error.Length > 0 ? error : ready ?? "no output")})";
            process.Dispose();
            return null;
        }

        public double[]? Samples(Shape s, double seconds, int count, out string? problem)
        {
            problem = null;
            try
            {
                _process.StandardInput.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{s.M} {s.K} {s.N} {s.Op} {seconds} {count}"));
                _process.StandardInput.Flush();
            }
            catch (IOException)
            {
                // The process is gone (numpy missing, say); its stderr says why.
            }
            string? line = _process.StandardOutput.ReadLine();
            var fields = line?.Split(' ');
            if (fields == null || fields.Length != 5 + count || fields[0] != "peer")
            {
                _process.WaitForExit(5000);
                string error = _process.StandardError.ReadToEnd().Trim().Split('\n').LastOrDefault() ?? "";
                problem = $"{Python} {Path.GetFileName(Script())} failed ({(error.Length > 0 ? error : line ?? "no output")})";
                return null;
            }
            return fields[5..].Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        }

        public void Dispose()
        {
            try
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(5000)) _process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            _process.Dispose();
        }

        private static string Script([CallerFilePath] string source = "") =>
            Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "gemm_peer.py"));
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private static double GFlops(Shape s, List<double> times)
    {
        var sorted = times.Order().ToArray();
        return s.Flop / sorted[sorted.Length / 2] / 1e9;
    }

    // The figure from clean samples, or from loaded ones (marked *) when there are no clean ones.
    private static (double GFlops, string Text)? Figure(Shape s, int threads,
        Dictionary<(Shape, int), List<double>> clean, Dictionary<(Shape, int), List<double>> loaded)
    {
        if (clean.TryGetValue((s, threads), out var times)) return Format(GFlops(s, times), "");
        if (loaded.TryGetValue((s, threads), out times)) return Format(GFlops(s, times), "*");
        return null;

        static (double, string) Format(double g, string mark) => (g, g.ToString("F1", CultureInfo.InvariantCulture) + mark);
    }

    private static void PrintTable(Shape[] shapes, int[] threadCounts, Dictionary<int, double> peaks,
        Dictionary<(Shape, int), List<double>> ours, Dictionary<(Shape, int), List<double>> oursLoaded,
        Dictionary<(Shape, int), List<double>> peer, Dictionary<(Shape, int), List<double>> peerLoaded)
    {
        var header = new List<string> { "(M, K, N)", "op" };
        foreach (int t in threadCounts) header.AddRange([$"ours {t}T", "peak", $"BLAS {t}T", "peak", $"ratio {t}T"]);
        header.Add("use");
        var rows = new List<string[]> { header.ToArray() };
        foreach (var s in shapes)
        {
            var row = new List<string> { $"({s.M}, {s.K}, {s.N})", s.Op };
            foreach (int t in threadCounts)
            {
                var o = Figure(s, t, ours, oursLoaded)!.Value;
                row.Add(o.Text);
                row.Add((o.GFlops / peaks[t]).ToString("P0", CultureInfo.InvariantCulture));
                if (Figure(s, t, peer, peerLoaded) is { } p)
                {
                    row.Add(p.Text);
                    row.Add((p.GFlops / peaks[t]).ToString("P0", CultureInfo.InvariantCulture));
                    row.Add((o.GFlops / p.GFlops).ToString("P0", CultureInfo.InvariantCulture));
                }
                else
                {
                    row.AddRange(["-", "-", "-"]);
                }
            }
            row.Add(s.Use);
            rows.Add(row.ToArray());
        }
        var widths = Enumerable.Range(0, header.Count).Select(c => rows.Max(r => r[c].Length)).ToArray();
        Console.WriteLine("GFLOP/s (2*M*N*K / median time); peak = that figure / the FMA peak with as many threads; ratio = ours / OpenBLAS");
        foreach (var r in rows)
            Console.WriteLine(string.Join("  ", r.Select((x, c) => c < 2 || c == r.Length - 1 ? x.PadRight(widths[c]) : x.PadLeft(widths[c]))).TrimEnd());
    }
}
