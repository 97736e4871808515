using System.CommandLine;

namespace Recurrent.Cli;

/// <summary>What a train command writes to and listens to; compare also names the variant and watches the epochs.</summary>
/// <param name="Stdout">The report lines (and the progress display, when it is the terminal).</param>
/// <param name="Stderr">Notes and errors.</param>
/// <param name="Interruption">Ctrl-C: the run stops between minibatches, saves and draws what it has.</param>
internal sealed record TrainHost(TextWriter Stdout, TextWriter Stderr, Interruption Interruption)
{
    /// <summary>The variant's name, shown in the progress display (compare).</summary>
    public string? Variant { get; init; }

    /// <summary>Called with each epoch's log entry, the diverged one included (compare).</summary>
    public Action<EpochLogEntry>? OnEpoch { get; init; }

    /// <summary>Called with the run's options once they are settled and checked.</summary>
    public Action<TrainingOptions>? OnOptions { get; init; }

    /// <summary>Check the options and stop there, training nothing (compare checks every variant first).</summary>
    public bool CheckOnly { get; init; }

    /// <summary>Whether a run stopped by Ctrl-C says so itself (compare says it for all its runs).</summary>
    public bool ReportStop { get; init; } = true;
}

/// <summary><c>recurrent train</c>: the book's experiment by default, every hyper-parameter an option.</summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Interruption? interruption = null) =>
        Create(new TrainHost(stdout, stderr, interruption ?? new Interruption()));

    /// <summary>The command, writing and listening where <paramref name="host"/> says (compare runs one per variant).</summary>
    public static Command Create(TrainHost host)
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
        var save = new Option<string?>("--save") { Description = "write a checkpoint (safetensors, PyTorch names) to this path after the last epoch", HelpName = "path" };
        var saveEvery = new Option<int?>("--save-every") { Description = "also save every N epochs, replacing the file atomically (needs --save)" };
        var resume = new Option<string?>("--resume") { Description = "continue the run saved in this checkpoint with its options (--epochs may extend it), saving to it unless --save says otherwise", HelpName = "path" };
        var initFrom = new Option<string?>("--init-from") { Description = "start from this checkpoint's weights and vocabulary, e.g. to fine-tune on another corpus", HelpName = "path" };
        var cell = Choice("--cell", "the recurrent cell: lstm (the book), gru or rnn", "lstm", "gru", "rnn");
        var layers = new Option<int>("--layers") { Description = "stacked recurrent layers (concise model)", DefaultValueFactory = _ => defaults.Layers };
        var embedding = new Option<int>("--embedding") { Description = "size of a learned embedding instead of one-hot input; 0: one-hot (concise model)", DefaultValueFactory = _ => defaults.Embedding };
        var dropout = new Option<float>("--dropout") { Description = "probability of dropping a unit between layers while training (concise model)", DefaultValueFactory = _ => defaults.Dropout };
        var optimizer = Choice("--optimizer", "update rule: sgd (the book), momentum or adam", "sgd", "momentum", "adam");
        var momentum = new Option<float>("--momentum") { Description = "momentum of --optimizer momentum", DefaultValueFactory = _ => defaults.Momentum };
        var beta1 = new Option<float>("--beta1") { Description = "Adam's beta1", DefaultValueFactory = _ => defaults.Beta1 };
        var beta2 = new Option<float>("--beta2") { Description = "Adam's beta2", DefaultValueFactory = _ => defaults.Beta2 };
        var weightDecay = new Option<float>("--weight-decay") { Description = "L2 penalty added to the gradient", DefaultValueFactory = _ => defaults.WeightDecay };
        var lrDecay = new Option<float>("--lr-decay") { Description = "multiply the learning rate by this every epoch after --lr-decay-after", DefaultValueFactory = _ => defaults.LrDecay };
        var lrDecayAfter = new Option<int>("--lr-decay-after") { Description = "the last epoch at the initial learning rate", DefaultValueFactory = _ => defaults.LrDecayAfter };
        var init = new Option<string>("--init") { Description = "initial weights: normal:STD (the book: normal:0.01) or uniform:LIMIT", DefaultValueFactory = _ => defaults.Init };
        var lossScale = Choice("--loss-scale", "mean: the book's mean over all T*B predictions; sum-steps: summed over the T steps (gradients T times larger)", "mean", "sum-steps");
        var valFraction = new Option<double?>("--val-fraction") { Description = "hold out this last fraction of the corpus and report its perplexity" };
        var saveBest = new Option<string?>("--save-best") { Description = "keep the checkpoint with the best validation perplexity at this path", HelpName = "path" };
        var tokens = Choice("--tokens", "char: characters (the book); word: whitespace-separated words with <eos> at line ends", "char", "word");
        var minCount = new Option<int>("--min-count") { Description = "in word mode, words seen fewer times become <unk>", DefaultValueFactory = _ => defaults.MinCount };
        var trainPath = new Option<string?>("--train") { Description = "training text of a corpus that comes split (replaces --corpus)", HelpName = "path" };
        var validPath = new Option<string?>("--valid") { Description = "validation text of a corpus that comes split", HelpName = "path" };
        var testPath = new Option<string?>("--test") { Description = "test text, whose perplexity is printed at the end", HelpName = "path" };
        var log = new Option<string?>("--log") { Description = "write one JSON line per epoch (epoch, perplexity, validation perplexity, seconds, learning rate) to this file", HelpName = "path" };
        var plot = new Option<string?>("--plot") { Description = "draw the perplexity per epoch (log scale) into this .svg or .png at the end, also when stopped with Ctrl-C", HelpName = "path" };
        var quiet = new Option<bool>("--quiet") { Description = "print no report lines, notes or progress display, only errors (and a test perplexity)" };

        var command = new Command("train", "Train a character-level LSTM language model; with no options, the book's experiment (jaychou, 256 hidden, 160 epochs).")
        {
            model, sampling, corpus, maxChars, dataDir, hidden, epochs, steps, batch, lr, clip, period, predLen, prefix,
            cellOutput, seed, threads, verbose, save, saveEvery, resume, initFrom, cell, layers, embedding, dropout,
            optimizer, momentum, beta1, beta2, weightDecay, lrDecay, lrDecayAfter, init, lossScale, valFraction, saveBest,
            tokens, minCount, trainPath, validPath, testPath, log, plot, quiet,
        };
        // The options that define what a run computes: a resumed run must not change them.
        (Option Option, Func<TrainingOptions, object?> Value)[] defining =
        [
            (model, o => o.Model), (sampling, o => o.Sampling), (hidden, o => o.Hidden), (steps, o => o.Steps),
            (batch, o => o.BatchSize), (lr, o => o.LearningRate), (clip, o => o.ClipTheta), (cellOutput, o => o.CellOutput),
            (seed, o => o.Seed), (cell, o => o.Cell), (layers, o => o.Layers), (embedding, o => o.Embedding),
            (dropout, o => o.Dropout), (optimizer, o => o.Optimizer), (momentum, o => o.Momentum), (beta1, o => o.Beta1),
            (beta2, o => o.Beta2), (weightDecay, o => o.WeightDecay), (lrDecay, o => o.LrDecay), (lrDecayAfter, o => o.LrDecayAfter),
            (init, o => o.Init), (lossScale, o => o.LossScale), (valFraction, o => o.ValidationFraction), (tokens, o => o.Tokens),
            (minCount, o => o.MinCount), (trainPath, o => o.TrainPath), (validPath, o => o.ValidPath), (testPath, o => o.TestPath),
        ];
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
                Cell = Enum.Parse<CellKind>(parse.GetValue(cell)!, ignoreCase: true),
                Layers = parse.GetValue(layers),
                Embedding = parse.GetValue(embedding),
                Dropout = parse.GetValue(dropout),
                Optimizer = Enum.Parse<OptimizerKind>(parse.GetValue(optimizer)!, ignoreCase: true),
                Momentum = parse.GetValue(momentum),
                Beta1 = parse.GetValue(beta1),
                Beta2 = parse.GetValue(beta2),
                WeightDecay = parse.GetValue(weightDecay),
                LrDecay = parse.GetValue(lrDecay),
                LrDecayAfter = parse.GetValue(lrDecayAfter),
                Init = parse.GetValue(init)!,
                LossScale = parse.GetValue(lossScale) == "sum-steps" ? LossScale.SumSteps : LossScale.Mean,
                ValidationFraction = parse.GetValue(valFraction),
                Tokens = parse.GetValue(tokens) == "word" ? TokenKind.Word : TokenKind.Char,
                MinCount = parse.GetValue(minCount),
                TrainPath = parse.GetValue(trainPath),
                ValidPath = parse.GetValue(validPath),
                TestPath = parse.GetValue(testPath),
            };
            int threadCount = parse.GetValue(threads);
            if (threadCount < 1) throw new RecurrentException($"--threads must be at least 1, not {threadCount}.");
            string? resumePath = parse.GetValue(resume), initPath = parse.GetValue(initFrom);
            var outputs = new TrainOutputs
            {
                Save = parse.GetValue(save) ?? resumePath,   // a resumed run goes on saving where it was saved
                SaveOption = parse.GetValue(save) is null && resumePath is not null ? "--resume" : "--save",
                SaveEvery = parse.GetValue(saveEvery),
                SaveBest = parse.GetValue(saveBest),
                Log = parse.GetValue(log),
                Plot = parse.GetValue(plot),
                Quiet = parse.GetValue(quiet),
            };
            outputs.Check();
            if (resumePath is not null && initPath is not null)
                throw new RecurrentException("--resume and --init-from cannot be combined: --resume continues a run, --init-from starts a new one from its weights.");

            Checkpoint? start = null;
            if (resumePath is not null)
            {
                start = Checkpoint.Load(resumePath);
                options = Resumed(parse, options, start, resumePath, defining, (epochs, period, predLen, prefix, corpus, maxChars));
            }
            else if (initPath is not null)
            {
                start = Checkpoint.Load(initPath);
                options = InitializedFrom(parse, options, start.Configuration, initPath,
                    [(model, o => o.Model), (hidden, o => o.Hidden), (cellOutput, o => o.CellOutput), (cell, o => o.Cell), (layers, o => o.Layers),
                     (embedding, o => o.Embedding), (dropout, o => o.Dropout), (tokens, o => o.Tokens)]);
            }
            options.Validate();
            outputs.Check(options);
            host.OnOptions?.Invoke(options);
            if (host.CheckOnly) return 0;
            Parallelism.MaxThreads = threadCount;
            return TrainingSession.Run(options, outputs, start, resumePath, initPath, parse.GetValue(dataDir), host);
        });
        return command;
    }

    /// <summary>
    /// The options of the run saved in <paramref name="checkpoint"/>, with the ones that only shape the report (and
    /// the corpus location, checked by its SHA-256 later) taken from the command line when given there.
    /// </summary>
    private static TrainingOptions Resumed(ParseResult parse, TrainingOptions given, Checkpoint checkpoint, string path,
        (Option Option, Func<TrainingOptions, object?> Value)[] defining,
        (Option Epochs, Option Period, Option PredLen, Option Prefix, Option Corpus, Option MaxChars) free)
    {
        var training = checkpoint.Training
            ?? throw new RecurrentException($"{path} holds a model but no training run to resume: train from its weights with --init-from instead.");
        var saved = training.Options;
        foreach (var (option, value) in defining)
        {
            if (Given(parse, option) && !Equals(value(given), value(saved)))
                throw new RecurrentException($"{option.Name} {Show(value(given))} differs from the {Show(value(saved))} that {path} was trained with: " +
                    "a resumed run keeps its options (use --init-from to train its weights with new ones).");
        }
        var options = saved with
        {
            Epochs = Given(parse, free.Epochs) ? given.Epochs : saved.Epochs,
            Period = Given(parse, free.Period) ? given.Period : saved.Period,
            PredictionLength = Given(parse, free.PredLen) ? given.PredictionLength : saved.PredictionLength,
            Prefixes = Given(parse, free.Prefix) ? given.Prefixes : saved.Prefixes,
            Corpus = Given(parse, free.Corpus) ? given.Corpus : saved.Corpus,
            MaxChars = Given(parse, free.MaxChars) ? given.MaxChars : saved.MaxChars,
        };
        if (training.Epoch >= options.Epochs)
            throw new RecurrentException($"{path} has already trained {training.Epoch} of {options.Epochs} epochs: give --epochs above {training.Epoch} to train further.");
        return options;
    }

    /// <summary>The options given, with the model of the checkpoint (which the weights fix).</summary>
    private static TrainingOptions InitializedFrom(ParseResult parse, TrainingOptions given, ModelConfiguration configuration, string path,
        (Option Option, Func<TrainingOptions, object?> Value)[] modelOptions)
    {
        var options = given with
        {
            Model = configuration.Model, Hidden = configuration.HiddenSize, CellOutput = configuration.CellOutput, Cell = configuration.Cell,
            Layers = configuration.Layers, Embedding = configuration.Embedding, Dropout = configuration.Dropout, Tokens = configuration.Tokens,
        };
        foreach (var (option, value) in modelOptions)
        {
            if (Given(parse, option) && !Equals(value(given), value(options)))
                throw new RecurrentException($"{option.Name} {Show(value(given))} differs from the {Show(value(options))} of the model in {path}: --init-from keeps the checkpoint's model.");
        }
        return options;
    }

    /// <summary>True when the option was on the command line (not its default).</summary>
    internal static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    private static string Show(object? value) => value switch
    {
        null => "none",
        Enum e => e.ToString().ToLowerInvariant(),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

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
