using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Recurrent.Cli;

namespace Recurrent.Bench;

/// <summary>
/// Workloads larger than the book's, ours beside PyTorch's in the same invocation: seconds per epoch (the median
/// after a warm-up epoch), tokens per second, GFLOP/s of the products and peak memory, each side in a process of
/// its own. Both sides train on the same token ids (written to a file for the peer) with the same shapes,
/// sampling and update rule.
/// usage: words [EPOCHS] | charrnn [EPOCHS] | scale [EPOCHS]   (default 3 timed epochs)
/// </summary>
internal static class WorkloadBench
{
    private const string PeerThreads = "2";   // as every peer: one PyTorch thread, two OpenBLAS threads

    /// <summary>A named training run: the options of our side, from which the peer's arguments are derived.</summary>
    private sealed record Workload(string Name, string Description, TrainingOptions Options);

    /// <summary>Zaremba et al.'s "small" shape on The Time Machine, split into words on whitespace.</summary>
    private static readonly Workload Words = new("words",
        "The Time Machine as whitespace-separated words (no lower-casing, <eos> at line ends); embedding 200, 2 LSTM layers of 200, batch 20, 20 steps, SGD lr 1, clip 5, loss summed over steps",
        new TrainingOptions
        {
            Model = new() { Embedding = 200, Hidden = 200, Layers = 2, Init = "uniform:0.1" },
            Data = new() { Corpus = "timemachine", Tokens = TokenKind.Word, Lowercase = false, Punctuation = Punctuation.Keep },
            Optimization = new() { BatchSize = 20, Steps = 20, LearningRate = 1f, ClipTheta = 5f, LossScale = LossScale.SumSteps },
        });

    /// <summary>char-rnn's usual shape on The Time Machine's characters.</summary>
    private static readonly Workload CharRnn = new("charrnn",
        "The Time Machine's characters; embedding 64, 2 LSTM layers of 512, batch 50, 50 steps, Adam lr 0.002, clip 5",
        new TrainingOptions
        {
            Model = new() { Embedding = 64, Hidden = 512, Layers = 2, Init = "uniform:0.08" },
            Data = new() { Corpus = "timemachine" },
            Optimization = new() { BatchSize = 50, Steps = 50, Optimizer = OptimizerKind.Adam, LearningRate = 2e-3f, ClipTheta = 5f },
        });

    /// <summary>The book's run at a given hidden size (ours on one-hot input as the book; the peer on an embedding, its faster input).</summary>
    private static Workload Book(int hidden) => new($"book-{hidden}", $"the book's run with {hidden} hidden units",
        new TrainingOptions { Model = new() { Hidden = hidden } });

    private static readonly int[] ScaleHidden = [128, 256, 512, 1024];

    private static Workload? Find(string name) =>
        name == Words.Name ? Words : name == CharRnn.Name ? CharRnn
        : name.StartsWith("book-", StringComparison.Ordinal) && int.TryParse(name[5..], CultureInfo.InvariantCulture, out int h) ? Book(h) : null;

    public static int RunWords(string[] args) => Run([Words], Epochs(args));

    public static int RunCharRnn(string[] args) => Run([CharRnn], Epochs(args));

    public static int RunScale(string[] args) => Run([.. ScaleHidden.Select(Book)], Epochs(args), scale: true);

    private static int Epochs(string[] args) => args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;

    private static int Run(Workload[] workloads, int epochs, bool scale = false)
    {
        bool torch = File.Exists("/usr/bin/python3") && MeasuredProcess.Run("/usr/bin/python3", ["-c", "import torch"], []).Output is not null;
        Console.WriteLine($"{epochs} timed epochs after a warm-up; medians. Machine: {Environment.ProcessorCount} cores, GEMM path {Gemm.CurrentPath}; " +
            $"ours with {Parallelism.MaxThreads} threads; PyTorch with 1 thread and {PeerThreads} OpenBLAS threads.");
        if (!torch) Console.WriteLine("PyTorch is not available (/usr/bin/python3 -c 'import torch' failed): our side only. Set-up: apt-get install -y python3-torch libopenblas0-pthread python3-numpy");

        var rows = new List<(Workload Workload, TrainingData Data, TrainingSpeed Ours, (double Seconds, double? Peak)? Peer)>();
        foreach (var workload in workloads)
        {
            var data = TrainingData.Load(workload.Options, new CorpusLoader());
            Console.WriteLine($"{workload.Name}: {workload.Description}; {data.Train.Length} tokens, V = {data.Tokenizer.Vocabulary.Size}, " +
                $"{Minibatches.PerEpoch(workload.Options.Optimization.Sampling, data.Train.Length, workload.Options.Optimization.BatchSize, workload.Options.Optimization.Steps)} minibatches per epoch.");
            var (output, peak) = MeasuredProcess.Run("dotnet", [typeof(WorkloadBench).Assembly.Location, "workload-one", workload.Name, epochs.ToString(CultureInfo.InvariantCulture)], []);
            if (output is null) return 1;
            var ours = JsonSerializer.Deserialize<TrainingSpeed>(output.Trim().Split('\n')[^1])! with { PeakMegabytes = peak ?? double.NaN };
            rows.Add((workload, data, ours, torch ? RunPeer(workload, data, epochs) : null));
        }
        Console.WriteLine();
        if (scale) PrintScale(rows.Select(r => (r.Workload, r.Ours, r.Peer)).ToList());
        else foreach (var (workload, data, ours, peer) in rows) PrintOne(workload, data, ours, peer);
        return 0;
    }

    /// <summary>Our side of one workload, in its own process: prints its <see cref="TrainingSpeed"/> as JSON.</summary>
    public static int RunOne(string[] args)
    {
        var workload = Find(args[0]) ?? throw new ArgumentException($"No workload '{args[0]}'.");
        var data = TrainingData.Load(workload.Options, new CorpusLoader());
        var options = workload.Options with { Report = workload.Options.Report with { Prefixes = data.DefaultPrefixes.Prefixes } };
        var speed = BookBenchmark.Train(workload.Name, options, data.Tokenizer, data.Train, int.Parse(args[1], CultureInfo.InvariantCulture));
        Console.WriteLine(JsonSerializer.Serialize(speed));
        return 0;
    }

    private static (double Seconds, double? Peak)? RunPeer(Workload workload, TrainingData data, int epochs)
    {
        string tokens = Path.GetTempFileName();
        try
        {
            using (var file = new BinaryWriter(File.Create(tokens)))
                foreach (int t in data.Train) file.Write(t);                 // little-endian int32, as the peer reads them
            var m = workload.Options.Model;
            var o = workload.Options.Optimization;
            string[] args =
            [
                Path.Combine(AppContext.BaseDirectory, "peer_workloads.py"), tokens, I(data.Tokenizer.Vocabulary.Size), I(epochs + 1),
                "--embedding", I(m.Embedding > 0 ? m.Embedding : m.Hidden), "--hidden", I(m.Hidden), "--layers", I(m.Layers),
                "--batch", I(o.BatchSize), "--steps", I(o.Steps), "--cell", m.Cell.ToString().ToLowerInvariant(),
                "--optimizer", o.Optimizer.ToString().ToLowerInvariant(), "--lr", o.LearningRate.ToString(CultureInfo.InvariantCulture),
                "--clip", o.ClipTheta.ToString(CultureInfo.InvariantCulture), "--loss", o.LossScale == LossScale.SumSteps ? "sum-steps" : "mean",
            ];
            var (output, peak) = MeasuredProcess.Run("/usr/bin/python3", args, [("OPENBLAS_NUM_THREADS", PeerThreads)]);
            if (output is null) return null;
            var times = Regex.Matches(output, @"time ([0-9.]+)").Select(x => double.Parse(x.Groups[1].Value, CultureInfo.InvariantCulture)).Skip(1).ToList();
            return (BookBenchmark.Median(times), peak);
        }
        finally { File.Delete(tokens); }
    }

    private static void PrintOne(Workload workload, TrainingData data, TrainingSpeed ours, (double Seconds, double? Peak)? peer)
    {
        double tokens = BookBenchmark.TokensPerEpoch(workload.Options.Optimization, data.Train.Length);
        double flop = ours.GflopPerSecond * ours.SecondsPerEpoch;    // GFLOP of an epoch's products, the same for both sides
        Console.WriteLine($"{workload.Name}:");
        Console.WriteLine("| measure | Recurrent | PyTorch | ratio |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        Row("s/epoch", ours.SecondsPerEpoch, peer?.Seconds, "0.00");
        Row("tokens/s", tokens / ours.SecondsPerEpoch, peer is null ? null : tokens / peer.Value.Seconds, "0");
        Row("GFLOP/s of the products", ours.GflopPerSecond, peer is null ? null : flop / peer.Value.Seconds, "0.0");
        Row("peak memory, MB", ours.PeakMegabytes, peer?.Peak, "0");
        Console.WriteLine();
        Console.WriteLine($"Our epochs: {string.Join(" ", ours.EpochSeconds.Select(x => F(x, "0.00")))}; {F(flop, "0.0")} GFLOP of products per epoch.");
        Console.WriteLine();
    }

    private static void PrintScale(List<(Workload Workload, TrainingSpeed Ours, (double Seconds, double? Peak)? Peer)> rows)
    {
        Console.WriteLine("The book's run by hidden size: s/epoch (ours on one-hot input, PyTorch nn.LSTM on an embedding of H):");
        Console.WriteLine("| H | Recurrent | PyTorch | ratio | ours GFLOP/s | ours peak MB | PyTorch peak MB |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (workload, ours, peer) in rows)
            Console.WriteLine($"| {workload.Options.Model.Hidden} | {F(ours.SecondsPerEpoch, "0.000")} | {F(peer?.Seconds, "0.000")} | {Ratio(ours.SecondsPerEpoch, peer?.Seconds)} " +
                $"| {F(ours.GflopPerSecond, "0.0")} | {F(ours.PeakMegabytes, "0")} | {F(peer?.Peak, "0")} |");
    }

    private static void Row(string measure, double ours, double? peer, string format) =>
        Console.WriteLine($"| {measure} | {F(ours, format)} | {F(peer, format)} | {Ratio(ours, peer)} |");

    private static string F(double? v, string format) => v is double d && !double.IsNaN(d) ? d.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private static string Ratio(double ours, double? peer) => peer is double p && !double.IsNaN(ours) ? F(ours / p, "0.00") + "x" : "n/a";

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
