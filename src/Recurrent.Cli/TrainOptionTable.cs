using System.CommandLine;
using System.Globalization;

namespace Recurrent.Cli;

/// <summary>
/// The options of <c>train</c> that define a run, declared once each: one row per option. <c>train</c> builds its
/// command from it, <c>--resume</c> and <c>--init-from</c> read which values they keep or take, <c>compare</c> which
/// it may vary, and error messages which flag names a library option key.
/// </summary>
internal static class TrainOptionTable
{
    private static readonly TrainingOptions Defaults = new();

    /// <summary>The rows, in the order <c>train --help</c> lists them.</summary>
    public static IReadOnlyList<TrainOptionRow> Create()
    {
        var d = Defaults;
        return
        [
            // The model.
            Row(Choice("--model", "scratch: the LSTM from its gate equations on autograd; concise: the fused layer", Words<ModelKind>(), d.Model.Kind),
                ModelOptions.Keys.Kind, o => o.Model.Kind, (o, v) => o with { Model = o.Model with { Kind = v } }, OnResume.Keep, fromModel: true, varied: true),
            Row(Choice("--cell", "the recurrent cell: lstm (the book), gru or rnn", Words<CellKind>(), d.Model.Cell),
                ModelOptions.Keys.Cell, o => o.Model.Cell, (o, v) => o with { Model = o.Model with { Cell = v } }, OnResume.Keep, fromModel: true, varied: true),
            Row(Number("--hidden", "number of hidden units H", d.Model.Hidden),
                ModelOptions.Keys.Hidden, o => o.Model.Hidden, (o, v) => o with { Model = o.Model with { Hidden = v } }, OnResume.Keep, fromModel: true, varied: true),
            Row(Number("--layers", "stacked recurrent layers (concise model)", d.Model.Layers),
                ModelOptions.Keys.Layers, o => o.Model.Layers, (o, v) => o with { Model = o.Model with { Layers = v } }, OnResume.Keep, fromModel: true, varied: true),
            Row(Number("--embedding", "size of a learned embedding instead of one-hot input; 0: one-hot (concise model)", d.Model.Embedding),
                ModelOptions.Keys.Embedding, o => o.Model.Embedding, (o, v) => o with { Model = o.Model with { Embedding = v } }, OnResume.Keep, fromModel: true, varied: true),
            Row(Number("--dropout", "probability of dropping a unit between layers while training (concise model)", d.Model.Dropout),
                ModelOptions.Keys.Dropout, o => o.Model.Dropout, (o, v) => o with { Model = o.Model with { Dropout = v } }, OnResume.Keep, fromModel: true, varied: true),
            Row(Choice("--cell-output", "tanh: H = O*tanh(C) (the LSTM); linear: H = O*C (the book's text)", Words<CellOutput>(), d.Model.CellOutput),
                ModelOptions.Keys.CellOutput, o => o.Model.CellOutput, (o, v) => o with { Model = o.Model with { CellOutput = v } }, OnResume.Keep, fromModel: true, varied: true),
            Row(Text("--init", "initial weights: normal:STD (the book: normal:0.01) or uniform:LIMIT", d.Model.Init),
                ModelOptions.Keys.Init, o => o.Model.Init, (o, v) => o with { Model = o.Model with { Init = v } }, OnResume.Keep, varied: true),

            // The data.
            Row(Text("--corpus", "built-in corpus (jaychou, timemachine) or a path to a UTF-8 text or zip file", d.Data.Corpus),
                DataOptions.Keys.Corpus, o => o.Data.Corpus, (o, v) => o with { Data = o.Data with { Corpus = v } }, OnResume.Change),
            Row(new Option<int?>("--max-chars") { Description = "keep only the first N characters (default: 10000 for jaychou, as the book does; the whole text of any other corpus)" },
                DataOptions.Keys.MaxChars, o => o.Data.MaxChars, (o, v) => o with { Data = o.Data with { MaxChars = v } }, OnResume.Change, varied: true),
            Row(Choice("--tokens", "char: characters (the book); word: whitespace-separated words (see --lowercase and --punctuation) with <eos> at line ends", Words<TokenKind>(), d.Data.Tokens),
                DataOptions.Keys.Tokens, o => o.Data.Tokens, (o, v) => o with { Data = o.Data with { Tokens = v } }, OnResume.Keep),
            Row(new Option<bool?>("--lowercase") { Description = "in word mode, lower-case the words so that The and the are one (default: true; false for a corpus already tokenised)", HelpName = "true|false" },
                DataOptions.Keys.Lowercase, o => o.Data.Lowercase, (o, v) => o with { Data = o.Data with { Lowercase = v } }, OnResume.Keep,
                show: v => v is null ? "default" : v.Value ? "true" : "false"),
            Row(NullableChoice("--punctuation", "in word mode: split: punctuation marks become tokens of their own (default); drop: they are removed; keep: words are exactly what whitespace separates (Penn Treebank)", Words<Punctuation>()),
                DataOptions.Keys.Punctuation, o => o.Data.Punctuation, (o, v) => o with { Data = o.Data with { Punctuation = v } }, OnResume.Keep,
                show: v => v is { } p ? Word(p) : "default"),
            Row(Number("--min-count", "in word mode, words seen fewer times become <unk>", d.Data.MinCount),
                DataOptions.Keys.MinCount, o => o.Data.MinCount, (o, v) => o with { Data = o.Data with { MinCount = v } }, OnResume.Keep),
            Row(new Option<double?>("--val-fraction") { Description = "hold out this last fraction of the corpus and report its perplexity" },
                DataOptions.Keys.ValidationFraction, o => o.Data.ValidationFraction, (o, v) => o with { Data = o.Data with { ValidationFraction = v } }, OnResume.Keep),
            Row(Path("--train", "training text of a corpus that comes split (replaces --corpus)"),
                DataOptions.Keys.TrainPath, o => o.Data.TrainPath, (o, v) => o with { Data = o.Data with { TrainPath = v } }, OnResume.Keep),
            Row(Path("--valid", "validation text of a corpus that comes split"),
                DataOptions.Keys.ValidPath, o => o.Data.ValidPath, (o, v) => o with { Data = o.Data with { ValidPath = v } }, OnResume.Keep),
            Row(Path("--test", "test text, whose perplexity is printed at the end"),
                DataOptions.Keys.TestPath, o => o.Data.TestPath, (o, v) => o with { Data = o.Data with { TestPath = v } }, OnResume.Keep),

            // The optimisation.
            Row(Choice("--sampling", "random: shuffled examples, state reset per minibatch; consecutive: adjacent examples, state carried", Words<Sampling>(), d.Optimization.Sampling),
                OptimizationOptions.Keys.Sampling, o => o.Optimization.Sampling, (o, v) => o with { Optimization = o.Optimization with { Sampling = v } }, OnResume.Keep, varied: true),
            Row(Number("--epochs", "number of passes over the corpus", d.Optimization.Epochs),
                OptimizationOptions.Keys.Epochs, o => o.Optimization.Epochs, (o, v) => o with { Optimization = o.Optimization with { Epochs = v } }, OnResume.Change),
            Row(Number("--steps", "time steps T per example", d.Optimization.Steps),
                OptimizationOptions.Keys.Steps, o => o.Optimization.Steps, (o, v) => o with { Optimization = o.Optimization with { Steps = v } }, OnResume.Keep, varied: true),
            Row(Number("--batch-size", "examples B per minibatch", d.Optimization.BatchSize),
                OptimizationOptions.Keys.BatchSize, o => o.Optimization.BatchSize, (o, v) => o with { Optimization = o.Optimization with { BatchSize = v } }, OnResume.Keep, varied: true),
            Row(Choice("--optimizer", "update rule: sgd (the book), momentum or adam", Words<OptimizerKind>(), d.Optimization.Optimizer),
                OptimizationOptions.Keys.Optimizer, o => o.Optimization.Optimizer, (o, v) => o with { Optimization = o.Optimization with { Optimizer = v } }, OnResume.Keep, varied: true),
            Row(Number("--lr", "learning rate", d.Optimization.LearningRate),
                OptimizationOptions.Keys.LearningRate, o => o.Optimization.LearningRate, (o, v) => o with { Optimization = o.Optimization with { LearningRate = v } }, OnResume.Keep, varied: true),
            Row(Number("--clip", "clip gradients to this global L2 norm", d.Optimization.ClipTheta),
                OptimizationOptions.Keys.ClipTheta, o => o.Optimization.ClipTheta, (o, v) => o with { Optimization = o.Optimization with { ClipTheta = v } }, OnResume.Keep, varied: true),
            Row(Number("--momentum", "momentum of --optimizer momentum", d.Optimization.Momentum),
                OptimizationOptions.Keys.Momentum, o => o.Optimization.Momentum, (o, v) => o with { Optimization = o.Optimization with { Momentum = v } }, OnResume.Keep, varied: true),
            Row(Number("--beta1", "Adam's beta1", d.Optimization.Beta1),
                OptimizationOptions.Keys.Beta1, o => o.Optimization.Beta1, (o, v) => o with { Optimization = o.Optimization with { Beta1 = v } }, OnResume.Keep, varied: true),
            Row(Number("--beta2", "Adam's beta2", d.Optimization.Beta2),
                OptimizationOptions.Keys.Beta2, o => o.Optimization.Beta2, (o, v) => o with { Optimization = o.Optimization with { Beta2 = v } }, OnResume.Keep, varied: true),
            Row(Number("--weight-decay", "L2 penalty added to the gradient", d.Optimization.WeightDecay),
                OptimizationOptions.Keys.WeightDecay, o => o.Optimization.WeightDecay, (o, v) => o with { Optimization = o.Optimization with { WeightDecay = v } }, OnResume.Keep, varied: true),
            Row(Number("--lr-decay", "multiply the learning rate by this every epoch after --lr-decay-after", d.Optimization.LrDecay),
                OptimizationOptions.Keys.LrDecay, o => o.Optimization.LrDecay, (o, v) => o with { Optimization = o.Optimization with { LrDecay = v } }, OnResume.Keep, varied: true),
            Row(Number("--lr-decay-after", "the last epoch at the initial learning rate", d.Optimization.LrDecayAfter),
                OptimizationOptions.Keys.LrDecayAfter, o => o.Optimization.LrDecayAfter, (o, v) => o with { Optimization = o.Optimization with { LrDecayAfter = v } }, OnResume.Keep, varied: true),
            Row(Choice("--loss-scale", "mean: the book's mean over all T*B predictions; sum-steps: summed over the T steps (gradients T times larger)", Words<LossScale>(), d.Optimization.LossScale),
                OptimizationOptions.Keys.LossScale, o => o.Optimization.LossScale, (o, v) => o with { Optimization = o.Optimization with { LossScale = v } }, OnResume.Keep, varied: true),
            Row(Number("--seed", "seed of the initial weights and of random sampling", d.Optimization.Seed),
                OptimizationOptions.Keys.Seed, o => o.Optimization.Seed, (o, v) => o with { Optimization = o.Optimization with { Seed = v } }, OnResume.Keep, varied: true),
            Row(new Option<int?>("--patience") { Description = "stop when the validation perplexity has not improved for N reports (needs a validation text)" },
                OptimizationOptions.Keys.Patience, o => o.Optimization.Patience, (o, v) => o with { Optimization = o.Optimization with { Patience = v } }, OnResume.Change, varied: true),

            // The report.
            Row(Number("--period", "print perplexity and predictions every N epochs (a run of fewer epochs reports at its last)", d.Report.Period),
                ReportOptions.Keys.Period, o => o.Report.Period, (o, v) => o with { Report = o.Report with { Period = v } }, OnResume.Change),
            Row(Number("--pred-len", "tokens to predict after each prefix", d.Report.PredictionLength),
                ReportOptions.Keys.PredictionLength, o => o.Report.PredictionLength, (o, v) => o with { Report = o.Report with { PredictionLength = v } }, OnResume.Change),
            Row(new Option<string[]>("--prefix") { Description = "prefix to predict from (repeatable; default: 分开 and 不分开 for jaychou, \"time traveller\" and \"the\" for timemachine, the first two words of any other text)", AllowMultipleArgumentsPerToken = false },
                ReportOptions.Keys.Prefixes, o => o.Report.Prefixes.ToArray(), (o, v) => o with { Report = o.Report with { Prefixes = v } }, OnResume.Change,
                show: v => string.Join(", ", v)),
        ];
    }

    /// <summary>The flag of a library option key: the table's, or the key's words joined by hyphens for options of other commands.</summary>
    public static string FlagFor(string key) =>
        Flags.TryGetValue(key, out var flag) ? flag : "--" + key.Replace('_', '-');

    private static readonly Dictionary<string, string> Flags = Create().ToDictionary(r => r.Key, r => r.Flag);

    private static TrainOptionRow<T> Row<T>(Option<T> option, string key, Func<TrainingOptions, T> get, Func<TrainingOptions, T, TrainingOptions> set,
        OnResume resume, bool fromModel = false, bool varied = false, Func<T, string>? show = null) =>
        new(option, get, set, show) { Key = key, Resume = resume, FromCheckpointModel = fromModel, Varied = varied };

    private static Option<T> Number<T>(string flag, string description, T fallback) =>
        new(flag) { Description = description, DefaultValueFactory = _ => fallback };

    private static Option<string> Text(string flag, string description, string fallback) =>
        new(flag) { Description = description, DefaultValueFactory = _ => fallback };

    private static Option<string?> Path(string flag, string description) => new(flag) { Description = description, HelpName = "path" };

    /// <summary>The command-line word of one enum value (lstm, sum-steps).</summary>
    internal static string Word(Enum value) =>
        (value.GetType().GetField(value.ToString())!.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonStringEnumMemberNameAttribute), false)
            .Cast<System.Text.Json.Serialization.JsonStringEnumMemberNameAttribute>().FirstOrDefault()?.Name ?? value.ToString().ToLowerInvariant())
        .Replace('_', '-');

    /// <summary>The words of an enum as its JSON names them (lstm, sum_steps), with hyphens for the command line (sum-steps).</summary>
    private static Dictionary<string, T> Words<T>() where T : struct, Enum =>
        Enum.GetValues<T>().ToDictionary(v => Word(v));

    /// <summary>An option that takes one of a few words, or nothing for a default the library chooses; rejected in one sentence otherwise.</summary>
    private static Option<T?> NullableChoice<T>(string flag, string description, Dictionary<string, T> words) where T : struct, Enum =>
        new(flag)
        {
            Description = description, HelpName = string.Join("|", words.Keys),
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                if (words.TryGetValue(text, out var value)) return value;
                result.AddError($"{flag} must be one of {string.Join(", ", words.Keys)}, not '{text}'.");
                return null;
            },
        };

    /// <summary>An option that takes one of a few words, the default's first in the help, rejected in one sentence otherwise.</summary>
    private static Option<T> Choice<T>(string flag, string description, Dictionary<string, T> words, T fallback) where T : struct, Enum
    {
        string[] names = [.. words.Where(w => w.Value.Equals(fallback)).Select(w => w.Key), .. words.Where(w => !w.Value.Equals(fallback)).Select(w => w.Key)];
        var option = new Option<T>(flag)
        {
            Description = description, DefaultValueFactory = _ => fallback, HelpName = string.Join("|", names),
            CustomParser = result =>
            {
                string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                if (words.TryGetValue(text, out var value)) return value;
                result.AddError($"{flag} must be one of {string.Join(", ", names)}, not '{text}'.");
                return fallback;
            },
        };
        return option;
    }
}
