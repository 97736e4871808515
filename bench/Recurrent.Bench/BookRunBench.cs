using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Recurrent.Cli;

namespace Recurrent.Bench;

/// <summary>
/// The book's run end to end, ours beside PyTorch's in the same invocation: seconds per epoch (median after a
/// warm-up epoch), tokens per second, GEMM GFLOP/s, peak memory of each training process, and generation speed
/// at batch 1. Each training run is a process of its own, so that its peak memory is its own.
/// usage: book [EPOCHS]   (default 5 timed epochs)
/// </summary>
internal static class BookRunBench
{
    private const string PeerThreads = "2";   // peer_pytorch.py's header: one PyTorch thread, two OpenBLAS threads

    public static int Run(string[] args)
    {
        int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        string shared = FindShared() ?? throw new InvalidOperationException("No shared/ folder above the working directory.");
        string zip = Path.Combine(shared, "data", "jaychou_lyrics.txt.zip");
        Console.WriteLine($"The book's run (jaychou, 256 hidden, batch 32, 35 steps, consecutive, 8 minibatches per epoch), {epochs} timed epochs after a warm-up; medians.");
        Console.WriteLine($"Machine: {Environment.ProcessorCount} cores; ours with {Parallelism.MaxThreads} threads; PyTorch with 1 thread and {PeerThreads} OpenBLAS threads.");
        Console.WriteLine();

        var ours = new Dictionary<string, TrainingSpeed>();
        foreach (string model in new[] { "concise", "scratch" })
        {
            var (output, peak) = MeasuredProcess.Run("dotnet", [typeof(BookRunBench).Assembly.Location, "book-one", model, epochs.ToString(CultureInfo.InvariantCulture)], []);
            ours[model] = JsonSerializer.Deserialize<TrainingSpeed>(output!.Trim().Split('\n')[^1])! with { PeakMegabytes = peak ?? double.NaN };
        }

        bool torch = MeasuredProcess.Run("/usr/bin/python3", ["-c", "import torch"], []).Output is not null;
        var peers = new Dictionary<string, (double Seconds, double? Peak)>();
        double? peerGeneration = null;
        if (torch)
        {
            foreach (string variant in new[] { "concise-embed", "concise-onehot", "scratch" })
            {
                var (output, peak) = MeasuredProcess.Run("/usr/bin/python3", [Path.Combine(shared, "bench", "peer_pytorch.py"), zip, variant, (epochs + 1).ToString(CultureInfo.InvariantCulture), "1"],
                    [("OPENBLAS_NUM_THREADS", PeerThreads)]);
                var times = Regex.Matches(output!, @"time ([0-9.]+)s").Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Skip(1).ToList();
                peers[variant] = (BookBenchmark.Median(times), peak);
            }
            string script = Path.Combine(AppContext.BaseDirectory, "peer_generate.py");
            var (gen, _) = MeasuredProcess.Run("/usr/bin/python3", [script, "1000", "1"], [("OPENBLAS_NUM_THREADS", PeerThreads)]);
            peerGeneration = double.Parse(Regex.Match(gen!, @"chars_per_second ([0-9.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        }
        else
        {
            Console.WriteLine("PyTorch is not available (/usr/bin/python3 -c 'import torch' failed): our side only.");
            Console.WriteLine("Set-up: apt-get install -y python3-torch libopenblas0-pthread");
        }

        var corpus = new CorpusLoader().Load("jaychou");
        var generator = new RnnModel(corpus.Vocabulary.Size, 256, new Rng(1));
        double greedy = BookBenchmark.Generate(generator, 1000, sampled: false);
        double sampled = BookBenchmark.Generate(generator, 1000, sampled: true);

        string F(double v, string format) => double.IsNaN(v) ? "n/a" : v.ToString(format, CultureInfo.InvariantCulture);
        string Ratio(double ours, double? theirs) => theirs is double t ? F(ours / t, "0.00") + "x" : "n/a";
        Console.WriteLine("| measure | Recurrent | PyTorch | ratio |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        var c = ours["concise"]; var s = ours["scratch"];
        (double Seconds, double? Peak)? embed = peers.TryGetValue("concise-embed", out var e) ? e : null;
        (double Seconds, double? Peak)? onehot = peers.TryGetValue("concise-onehot", out var o) ? o : null;
        (double Seconds, double? Peak)? scratch = peers.TryGetValue("scratch", out var sc) ? sc : null;
        Console.WriteLine($"| concise: s/epoch (PyTorch nn.LSTM, embedding input) | {F(c.SecondsPerEpoch, "0.000")} | {F(embed?.Seconds ?? double.NaN, "0.000")} | {Ratio(c.SecondsPerEpoch, embed?.Seconds)} |");
        Console.WriteLine($"| concise: s/epoch (PyTorch nn.LSTM, one-hot input as the book) | {F(c.SecondsPerEpoch, "0.000")} | {F(onehot?.Seconds ?? double.NaN, "0.000")} | {Ratio(c.SecondsPerEpoch, onehot?.Seconds)} |");
        Console.WriteLine($"| from scratch: s/epoch | {F(s.SecondsPerEpoch, "0.000")} | {F(scratch?.Seconds ?? double.NaN, "0.000")} | {Ratio(s.SecondsPerEpoch, scratch?.Seconds)} |");
        Console.WriteLine($"| concise: tokens/s | {F(c.TokensPerSecond, "0")} | {F(embed is null ? double.NaN : 8960 / embed.Value.Seconds, "0")} | {Ratio(c.TokensPerSecond, embed is null ? null : 8960 / embed.Value.Seconds)} |");
        Console.WriteLine($"| from scratch: tokens/s | {F(s.TokensPerSecond, "0")} | {F(scratch is null ? double.NaN : 8960 / scratch.Value.Seconds, "0")} | {Ratio(s.TokensPerSecond, scratch is null ? null : 8960 / scratch.Value.Seconds)} |");
        Console.WriteLine($"| concise: GEMM GFLOP/s | {F(c.GflopPerSecond, "0.0")} | | |");
        Console.WriteLine($"| from scratch: GEMM GFLOP/s | {F(s.GflopPerSecond, "0.0")} | | |");
        Console.WriteLine($"| concise: peak memory, MB | {F(c.PeakMegabytes, "0")} | {F(embed?.Peak ?? double.NaN, "0")} | {Ratio(c.PeakMegabytes, embed?.Peak)} |");
        Console.WriteLine($"| from scratch: peak memory, MB | {F(s.PeakMegabytes, "0")} | {F(scratch?.Peak ?? double.NaN, "0")} | {Ratio(s.PeakMegabytes, scratch?.Peak)} |");
        Console.WriteLine($"| generation, greedy, characters/s | {F(greedy, "0")} | {F(peerGeneration ?? double.NaN, "0")} | {Ratio(greedy, peerGeneration)} |");
        Console.WriteLine($"| generation, sampled, characters/s | {F(sampled, "0")} | | |");
        Console.WriteLine();
        Console.WriteLine($"Our epochs, concise: {string.Join(" ", c.EpochSeconds.Select(x => F(x, "0.000")))}; from scratch: {string.Join(" ", s.EpochSeconds.Select(x => F(x, "0.000")))}");
        return 0;
    }

    /// <summary>One of our training runs, in its own process: prints its <see cref="TrainingSpeed"/> as JSON.</summary>
    public static int RunOne(string[] args)
    {
        var kind = args[0] == "scratch" ? ModelKind.Scratch : ModelKind.Concise;
        var speed = BookBenchmark.Train(kind, new CorpusLoader().Load("jaychou"), int.Parse(args[1], CultureInfo.InvariantCulture));
        Console.WriteLine(JsonSerializer.Serialize(speed));
        return 0;
    }


    private static string? FindShared()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared");
            if (File.Exists(Path.Combine(candidate, "bench", "peer_pytorch.py"))) return candidate;
        }
        return null;
    }
}
