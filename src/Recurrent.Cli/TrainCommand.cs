using System.CommandLine;

namespace Recurrent.Cli;

/// <summary><c>recurrent train</c>: the book's experiment by default, every hyper-parameter an option.</summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var defaults = new TrainingOptions();
        var model = Choice("--model", "scratch: the LSTM from its gate equations on autograd; concise: the fused LSTM layer", "concise", "scratch");
        var sampling = Choice("--sampling", "random: shuffled examples, state reset per minibatch; consecutive: adjacent examples, state carried", "consecutive", "random");
        var corpus = new Option<string>("--corpus") { Description = "built-in corpus (jaychou, timemachine) or a path to a UTF-8 text or zip file", DefaultValueFactory = _ => defaults.Corpus };
        var maxChars = new Option<int?>("--max-chars") { Description = "keep only the first N characters (default: 10000 for jaychou, the whole file otherwise)" };
        var dataDir = new Option<string?>("--data-dir") { Description = "folder holding the corpus files (otherwise: ../shared/data upwards, the user cache, then a download)" };
        var hidden = new Option<int>("--hidden") { Description = "number of hidden units H", DefaultValueFactory = _ => defaults.Hidden };
        var epochs = new Option<int>("--epochs") { Description = "number of passes over the corpus", DefaultValueFactory = _ => defaults.Epochs };
        var steps = new Option<int>("--steps") { Description = "time steps T per example", DefaultValueFactory = _ => defaults.Steps };
        var batch = new Option<int>("--batch-size") { Description = "examples B per minibatch", DefaultValueFactory = _ => defaults.BatchSize };
        var lr = new Option<float>("--lr") { Description = "SGD learning rate", DefaultValueFactory = _ => defaults.LearningRate };
        var clip = new Option<float>("--clip") { Description = "clip gradients to this global L2 norm", DefaultValueFactory = _ => defaults.ClipTheta };
        var period = new Option<int>("--period") { Description = "print perplexity and predictions every N epochs", DefaultValueFactory = _ => defaults.Period };
        var predLen = new Option<int>("--pred-len") { Description = "characters to predict after each prefix", DefaultValueFactory = _ => defaults.PredictionLength };
        var prefix = new Option<string[]>("--prefix") { Description = "prefix to predict from (repeatable; default: 分开 and 不分开)", AllowMultipleArgumentsPerToken = false };
        var cellOutput = Choice("--cell-output", "tanh: H = O*tanh(C) (the LSTM); linear: H = O*C (the book's text)", "tanh", "linear");
        var seed = new Option<ulong>("--seed") { Description = "seed of the initial weights and of random sampling", DefaultValueFactory = _ => defaults.Seed };
        var threads = new Option<int>("--threads") { Description = "compute threads (default: all cores)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var verbose = new Option<bool>("--verbose") { Description = "show the stack trace of an internal error" };

        var command = new Command("train", "Train a character-level LSTM language model; with no options, the book's experiment (jaychou, 256 hidden, 160 epochs).")
        {
            model, sampling, corpus, maxChars, dataDir, hidden, epochs, steps, batch, lr, clip, period, predLen, prefix,
            cellOutput, seed, threads, verbose,
        };
        command.SetAction(parse =>
        {
            var prefixes = parse.GetValue(prefix);
            var options = new TrainingOptions
            {
                Model = parse.GetValue(model) == "scratch" ? ModelKind.Scratch : ModelKind.Concise,
                Sampling = parse.GetValue(sampling) == "random" ? Sampling.Random : Sampling.Consecutive,
                Corpus = parse.GetValue(corpus)!,
                MaxChars = parse.GetValue(maxChars),
                Hidden = parse.GetValue(hidden),
                Epochs = parse.GetValue(epochs),
                Steps = parse.GetValue(steps),
                BatchSize = parse.GetValue(batch),
                LearningRate = parse.GetValue(lr),
                ClipTheta = parse.GetValue(clip),
                Period = parse.GetValue(period),
                PredictionLength = parse.GetValue(predLen),
                Prefixes = prefixes is { Length: > 0 } ? prefixes : defaults.Prefixes,
                CellOutput = parse.GetValue(cellOutput) == "linear" ? CellOutput.Linear : CellOutput.Tanh,
                Seed = parse.GetValue(seed),
            };
            int threadCount = parse.GetValue(threads);
            if (threadCount < 1) throw new RecurrentException($"--threads must be at least 1, not {threadCount}.");
            options.Validate();
            Parallelism.MaxThreads = threadCount;

            var loader = new CorpusLoader(new CorpusLoaderOptions { DataDirectory = parse.GetValue(dataDir), Log = m => stderr.WriteLine(m) });
            var text = loader.Load(options.Corpus, options.MaxChars);
            var rng = new Rng(options.Seed);
            var languageModel = Trainer.CreateModel(options, text.Vocabulary.Size, rng);
            var trainer = new Trainer(languageModel, text.Vocabulary, text.Indices, options, rng);
            trainer.Run(report =>
            {
                if (report.Predictions.Count == 0) return;
                stdout.WriteLine(report.Line);
                foreach (var p in report.Predictions) stdout.WriteLine($" - {p}");
                stdout.Flush();
            });
            return 0;
        });
        return command;
    }

    /// <summary>An option that takes one of a few words (the first is the default), rejected in one sentence otherwise.</summary>
    internal static Option<string> Choice(string name, string description, params string[] values)
    {
        var option = new Option<string>(name) { Description = description, DefaultValueFactory = _ => values[0], HelpName = string.Join("|", values) };
        option.Validators.Add(result =>
        {
            string? value = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
            if (value is not null && !values.Contains(value))
                result.AddError($"{name} must be one of {string.Join(", ", values)}, not '{value}'.");
        });
        return option;
    }
}
