using System.CommandLine;

namespace Recurrent.Cli;

/// <summary>
/// <c>recurrent bench</c>: how fast the book's run trains and generates on this machine, with its thread count.
/// (The comparison with PyTorch lives in <c>bench/Recurrent.Bench</c>.)
/// </summary>
internal static class BenchCommand
{
    /// <summary>The most epochs timed: about an hour of the book's run on a small machine.</summary>
    private const int MaxEpochs = 10_000;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var model = TrainCommand.Choice("--model", "which model to time: both, concise or scratch", "both", "concise", "scratch");
        var cell = TrainCommand.Choice("--cell", "the recurrent cell of the models timed", "lstm", "gru", "rnn");
        var epochs = new Option<int>("--epochs") { Description = "timed epochs after one warm-up epoch (the median is reported)", DefaultValueFactory = _ => 5 };
        var length = new Option<int>("--length") { Description = "characters to generate for the generation speed", DefaultValueFactory = _ => 1000 };
        var dataDir = CommonOptions.DataDirectory();
        var threads = CommonOptions.Threads();
        var command = CommonOptions.Command("bench", "Time the book's run (seconds per epoch, tokens/s, GFLOP/s, peak memory) and generation on this machine.",
            model, cell, epochs, length, dataDir, threads);
        command.SetAction(parse =>
        {
            // A benchmark of more epochs than an hour's worth, or of a generation past the library's limit, is a typing mistake.
            int threadCount = CommonOptions.AtLeast(parse, threads, 1), epochCount = CommonOptions.Between(parse, epochs, 1, MaxEpochs);
            int chars = CommonOptions.Between(parse, length, 1, GenerationOptions.MaxLength);
            Parallelism.MaxThreads = threadCount;
            var corpus = new CorpusLoader(new CorpusLoaderOptions { DataDirectory = parse.GetValue(dataDir), Log = m => stderr.WriteLine(Terminal.Visible(m)) }).Load("jaychou");
            string which = parse.GetValue(model)!;
            var cellKind = Enum.Parse<CellKind>(parse.GetValue(cell)!, ignoreCase: true);
            stdout.WriteLine($"the book's run on {Environment.ProcessorCount} cores with {threadCount} thread(s): jaychou, {cellKind.ToString().ToUpperInvariant()}, 256 hidden, batch 32, 35 steps");
            stdout.WriteLine("model      s/epoch   tokens/s   GFLOP/s   peak MB");
            foreach (var kind in new[] { ModelKind.Concise, ModelKind.Scratch })
            {
                if (which != "both" && which != kind.ToString().ToLowerInvariant()) continue;
                var speed = BookBenchmark.Train(kind, corpus, epochCount, cellKind);
                stdout.WriteLine(FormattableString.Invariant(
                    $"{speed.Model,-9} {speed.SecondsPerEpoch,8:F3} {speed.TokensPerSecond,10:F0} {speed.GflopPerSecond,9:F1} {speed.PeakMegabytes,9:F0}"));
                stdout.Flush();
            }
            var generator = new RnnModel(cellKind, corpus.Vocabulary.Size, 256, new Rng(1));
            stdout.WriteLine(FormattableString.Invariant(
                $"generation at batch 1: {BookBenchmark.Generate(generator, chars, sampled: false):F0} characters/s greedy, {BookBenchmark.Generate(generator, chars, sampled: true):F0} sampled"));
            return 0;
        });
        return command;
    }
}
