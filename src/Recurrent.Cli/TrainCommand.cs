using System.CommandLine;

namespace Recurrent.Cli;

/// <summary><c>recurrent train</c>: the book's experiment by default, every hyper-parameter an option.</summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, Interruption? interruption = null) =>
        Create(new TrainHost(stdout, stderr, interruption ?? new Interruption()));

    /// <summary>The command, writing and listening where <paramref name="host"/> says (compare runs one per variant).</summary>
    public static Command Create(TrainHost host)
    {
        var rows = TrainOptionTable.Create();
        var dataDir = CommonOptions.DataDirectory();
        var threads = CommonOptions.Threads();
        var save = new Option<string?>("--save") { Description = "write a checkpoint (safetensors, PyTorch names) to this path after the last epoch", HelpName = "path" };
        var saveEvery = new Option<int?>("--save-every") { Description = "also save every N epochs, replacing the file atomically (needs --save)" };
        var resume = new Option<string?>("--resume") { Description = "continue the run saved in this checkpoint with its options (--epochs may extend it), saving to it unless --save says otherwise", HelpName = "path" };
        var initFrom = new Option<string?>("--init-from") { Description = "start from this checkpoint's weights and vocabulary, e.g. to fine-tune on another corpus", HelpName = "path" };
        var saveBest = new Option<string?>("--save-best") { Description = "keep the checkpoint with the best validation perplexity at this path", HelpName = "path" };
        var log = new Option<string?>("--log") { Description = "write one JSON line per epoch (epoch, perplexity, validation perplexity, seconds, learning rate) to this file", HelpName = "path" };
        var plot = new Option<string?>("--plot") { Description = "draw the perplexity per epoch (log scale) into this .svg or .png at the end, also when stopped with Ctrl-C", HelpName = "path" };
        var quiet = new Option<bool>("--quiet") { Description = "print no report lines, notes or progress display, only errors (and a test perplexity)" };

        var command = CommonOptions.Command("train", "Train a character-level LSTM language model; with no options, the book's experiment (jaychou, 256 hidden, 160 epochs).",
            [.. rows.Select(row => row.Option), dataDir, threads, save, saveEvery, resume, initFrom, saveBest, log, plot, quiet]);
        command.SetAction(parse =>
        {
            var options = rows.Aggregate(new TrainingOptions(), (o, row) => row.Apply(o, parse));
            int threadCount = CommonOptions.AtLeast(parse, threads, 1);
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
                options = Resumed(parse, rows, options, start, resumePath);
            }
            else if (initPath is not null)
            {
                start = Checkpoint.Load(initPath);
                options = InitializedFrom(row => Given(parse, row.Option), rows, options, start, initPath);
            }
            // A run shorter than the book's report period would print nothing: unless told otherwise, it reports at its last epoch.
            if (resumePath is null && !Given(parse, rows.Single(r => r.Key == ReportOptions.Keys.Period).Option)
                && options.Optimization.Epochs >= 1 && options.Optimization.Epochs < options.Report.Period)
                options = options with { Report = options.Report with { Period = options.Optimization.Epochs } };
            options.Validate();
            outputs.Check(options);
            outputs.CheckDistinct(options, resumePath, initPath);
            Parallelism.MaxThreads = threadCount;
            bool choosePrefixes = resumePath is null && !Given(parse, rows.Single(r => r.Key == ReportOptions.Keys.Prefixes).Option);
            using var held = outputs.Hold();
            return TrainingSession.Run(options, outputs, start, resumePath, initPath, parse.GetValue(dataDir), host, choosePrefixes);
        });
        return command;
    }

    /// <summary>
    /// The options of the run saved in <paramref name="checkpoint"/>, with the ones that only shape the report (and
    /// the corpus location, checked by its SHA-256 later) taken from the command line when given there.
    /// </summary>
    private static TrainingOptions Resumed(ParseResult parse, IReadOnlyList<TrainOptionRow> rows, TrainingOptions given, Checkpoint checkpoint, string path)
    {
        var training = checkpoint.Training
            ?? throw new RecurrentException($"{path} holds a model but no training run to resume: train from its weights with --init-from instead.");
        var options = WithTokenizerOf(training.Options, checkpoint);
        foreach (var row in rows.Where(r => Given(parse, r.Option)))
        {
            if (row.Resume == OnResume.Change) options = row.CopyFrom(options, given);
            else if (!row.Same(given, options))
                throw new RecurrentException($"{row.Flag} {row.Show(given)} differs from the {row.Show(options)} that {path} was trained with: " +
                    "a resumed run keeps its options (use --init-from to train its weights with new ones).");
        }
        if (training.Epoch >= options.Optimization.Epochs)
            throw new RecurrentException($"{path} has already trained {training.Epoch} of {options.Optimization.Epochs} epochs: give --epochs above {training.Epoch} to train further.");
        CheckCorpusPaths(options.Data, key => rows.Any(r => r.Key == key && Given(parse, r.Option)), path);
        return options;
    }

    /// <summary>
    /// Refuses a resumed run whose corpus files, as its checkpoint names them, are not there: a checkpoint keeps each path
    /// as its run was given it, relative to the folder it started in, so that a run resumed elsewhere would otherwise
    /// fail without saying where the path came from.
    /// </summary>
    private static void CheckCorpusPaths(DataOptions data, Func<string, bool> isGiven, string checkpoint)
    {
        static bool Missing(string? path) => path is not null && BuiltInCorpus.Find(path) is null && !File.Exists(path) && !Directory.Exists(path);
        const string kept = "the checkpoint keeps the path as its run was given it";
        if (data.TrainPath is null && !isGiven(DataOptions.Keys.Corpus) && Missing(data.Corpus))
            throw new RecurrentException($"The corpus {data.Corpus} that {checkpoint} was trained on does not exist from here ({kept}): give where it is with --corpus.");
        foreach (var (key, what, file) in (ReadOnlySpan<(string, string, string?)>)[
            (DataOptions.Keys.TrainPath, "training", data.TrainPath), (DataOptions.Keys.ValidPath, "validation", data.ValidPath), (DataOptions.Keys.TestPath, "test", data.TestPath)])
        {
            if (!isGiven(key) && Missing(file))
                throw new RecurrentException($"The {what} text {file} of the run in {checkpoint} does not exist from here ({kept}): resume from the folder the run started in.");
        }
    }

    /// <summary>The options given, with the model of the checkpoint (which the weights fix) and its kind of tokens.</summary>
    /// <param name="isGiven">Whether a row's option was on the command line.</param>
    internal static TrainingOptions InitializedFrom(Func<TrainOptionRow, bool> isGiven, IReadOnlyList<TrainOptionRow> rows, TrainingOptions given, Checkpoint checkpoint, string path)
    {
        var c = checkpoint.Configuration;
        var options = given with
        {
            Model = given.Model with
            {
                Kind = c.Model, Hidden = c.HiddenSize, CellOutput = c.CellOutput, Cell = c.Cell, Layers = c.Layers, Embedding = c.Embedding, Dropout = c.Dropout,
            },
        };
        options = WithTokenizerOf(options, checkpoint);
        foreach (var row in rows.Where(r => (r.FromCheckpointModel || TokenizerKeys.Contains(r.Key)) && isGiven(r)))
        {
            if (!row.Same(given, options))
                throw new RecurrentException($"{row.Flag} {row.Show(given)} differs from the {row.Show(options)} of the model in {path}: --init-from keeps the checkpoint's model.");
        }
        return options;
    }

    /// <summary>The options that say how text becomes tokens, which a checkpoint's tokenizer fixes.</summary>
    private static readonly string[] TokenizerKeys = [DataOptions.Keys.Tokens, DataOptions.Keys.Lowercase, DataOptions.Keys.Punctuation];

    /// <summary>The options with the checkpoint's kind of tokens and, for words, its normalisation (a checkpoint may predate the options that name it).</summary>
    private static TrainingOptions WithTokenizerOf(TrainingOptions options, Checkpoint checkpoint) => options with
    {
        Data = options.Data with { Tokens = checkpoint.Tokens, Lowercase = checkpoint.Words?.Lowercase, Punctuation = checkpoint.Words?.Punctuation },
    };

    /// <summary>True when the option was on the command line (not its default).</summary>
    internal static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

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
