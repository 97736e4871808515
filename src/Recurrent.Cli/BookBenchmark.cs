using System.Diagnostics;

namespace Recurrent.Cli;

/// <summary>Training speed of one model on the book's run: medians over epochs after a warm-up.</summary>
/// <param name="Model">concise or scratch.</param>
/// <param name="SecondsPerEpoch">Median wall-clock seconds of the measured epochs.</param>
/// <param name="TokensPerSecond">Predicted characters (T·B per minibatch) per second at the median.</param>
/// <param name="GflopPerSecond">GEMM floating-point operations of an epoch per second at the median.</param>
/// <param name="PeakMegabytes">Peak working set of the process so far, in MB (10^6 bytes).</param>
/// <param name="EpochSeconds">Every measured epoch, in order.</param>
public sealed record TrainingSpeed(string Model, double SecondsPerEpoch, double TokensPerSecond, double GflopPerSecond,
    double PeakMegabytes, IReadOnlyList<double> EpochSeconds);

/// <summary>
/// Measures the book's run (jaychou, 256 hidden, batch 32, 35 steps, consecutive sampling, 8 minibatches per
/// epoch) and generation at batch 1. <c>recurrent bench</c> prints it; <c>bench/Recurrent.Bench</c> prints it
/// beside PyTorch.
/// </summary>
public static class BookBenchmark
{
    /// <summary>Trains the book's model for a warm-up epoch and then <paramref name="epochs"/> timed ones.</summary>
    public static TrainingSpeed Train(ModelKind kind, Corpus corpus, int epochs, CellKind cell = CellKind.Lstm) =>
        Train(kind.ToString().ToLowerInvariant(), new TrainingOptions { Model = new() { Kind = kind, Cell = cell } }, new CharacterTokenizer(corpus.Vocabulary), corpus.Indices, epochs);

    /// <summary>
    /// Trains the model <paramref name="options"/> describe on <paramref name="indices"/> for a warm-up epoch and
    /// then <paramref name="epochs"/> timed ones (the options' epoch count and report period are ignored).
    /// </summary>
    public static TrainingSpeed Train(string name, TrainingOptions options, ITokenizer tokenizer, int[] indices, int epochs)
    {
        options = options with { Optimization = options.Optimization with { Epochs = epochs + 1 }, Report = options.Report with { Period = int.MaxValue } };
        var rng = new Rng(options.Optimization.Seed);
        var model = Trainer.CreateModel(options, tokenizer.Vocabulary.Size, rng);
        var trainer = new Trainer(model, tokenizer, indices, options, rng);
        trainer.TrainEpoch(1);                                   // warm-up: JIT, buffers, thread pool
        var seconds = new List<double>();
        var operations = new List<long>();
        for (int epoch = 2; epoch <= epochs + 1; epoch++)
        {
            long before = Gemm.OperationCount;
            seconds.Add(trainer.TrainEpoch(epoch).Seconds);
            operations.Add(Gemm.OperationCount - before);
        }
        double median = Median(seconds);
        return new TrainingSpeed(name, median, TokensPerEpoch(options.Optimization, indices.Length) / median,
            Median(operations.Select(o => (double)o).ToList()) / median / 1e9, PeakMegabytes(), seconds);
    }

    /// <summary>The predicted tokens of an epoch: T·B per minibatch.</summary>
    public static long TokensPerEpoch(OptimizationOptions optimization, int corpusLength) =>
        (long)Minibatches.PerEpoch(optimization.Sampling, corpusLength, optimization.BatchSize, optimization.Steps) * optimization.BatchSize * optimization.Steps;

    /// <summary>
    /// Characters per second generating <paramref name="length"/> characters one at a time at batch 1, greedy
    /// (temperature 0) or sampled (temperature 1): the median of five runs after a warm-up.
    /// </summary>
    public static double Generate(LanguageModel model, int length, bool sampled)
    {
        var options = new GenerationOptions { Length = length, Temperature = sampled ? 1f : 0f, Seed = 7 };
        int[] prefix = [0];
        foreach (int _ in model.Generate(prefix, options with { Length = 50 })) { }
        var rates = new List<double>();
        for (int run = 0; run < 5; run++)
        {
            var clock = Stopwatch.StartNew();
            foreach (int _ in model.Generate(prefix, options)) { }
            rates.Add(length / clock.Elapsed.TotalSeconds);
        }
        return Median(rates);
    }

    /// <summary>The peak working set of this process, in MB.</summary>
    public static double PeakMegabytes()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64 / 1e6;
    }

    /// <summary>The median (the mean of the middle two for an even count).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
