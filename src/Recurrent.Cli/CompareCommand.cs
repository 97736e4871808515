using System.CommandLine;
using System.Globalization;
using System.Text;

namespace Recurrent.Cli;

/// <summary>
/// <c>recurrent compare</c>: trains one run per combination of the values given to options as comma-separated lists
/// (<c>--cell-output tanh,linear</c>), each on the same data from the same seed, then draws their perplexity on one
/// chart and prints a table of perplexity per period, final perplexity and time.
/// </summary>
/// <remarks>
/// Every option of the train table (<see cref="TrainOptionTable"/>) is an option of <c>compare</c>, its values read by
/// the row's own parser; the rows marked as varied, and --threads, take lists. Each variant is a
/// <see cref="TrainingOptions"/> run by <see cref="TrainingSession"/> as <c>recurrent train</c> runs it. Options that
/// write files of a single run (--save, --log, --plot, --resume) are refused, since the variants would overwrite them.
/// </remarks>
internal static class CompareCommand
{
    // Not a training option but worth comparing: the same run's speed on more threads.
    private const string ThreadsFlag = "--threads";

    // Files a single run writes, which every variant would overwrite; and options that continue one run.
    private static readonly string[] Refused = ["--save", "--save-every", "--save-best", "--resume", "--log", "--plot"];

    /// <summary>The flags that take several comma-separated values, in the order the help lists them.</summary>
    internal static IReadOnlyList<string> Varied { get; } = [.. TrainOptionTable.Create().Where(r => r.Varied).Select(r => r.Flag), ThreadsFlag];

    /// <summary>What a variant runs: its training options and its thread count.</summary>
    private sealed record Setup(TrainingOptions Options, int Threads);

    /// <summary>An option given several values: its flag and how one value changes a setup.</summary>
    private sealed record Dimension(string Flag, string[] Values, Func<Setup, string, Setup> Apply);

    public static Command Create(TextWriter stdout, TextWriter stderr, Interruption interruption)
    {
        var rows = TrainOptionTable.Create();
        var output = new Option<string>("--out") { Description = "the chart to write: .svg or .png", Required = true, HelpName = "path" };
        var title = new Option<string?>("--title") { Description = "title of the chart (default: the options compared)", HelpName = "text" };
        var threads = new Option<string?>(ThreadsFlag) { Description = "compute threads (default: all cores) (comma-separated values: one run each)" };
        var dataDir = CommonOptions.DataDirectory();
        var quiet = new Option<bool>("--quiet") { Description = "print only the table and errors" };
        var initFrom = new Option<string?>("--init-from") { Description = "start every run from this checkpoint's weights and vocabulary", HelpName = "path" };
        // Each row's option as text, so that a varied one can hold a list; its values go through the row's parser.
        var texts = rows.Select(row => (Row: row, Option: AsText(row))).ToList();
        // Hidden, and accepted only to say why they are refused rather than "unrecognized".
        var refused = Refused.Select(flag => new Option<string>(flag) { Hidden = true }).ToList();
        var command = CommonOptions.Command("compare",
            "Train one run per value of options given as comma-separated lists (e.g. --cell-output tanh,linear), each on the same data " +
            "from the same seed, then draw their perplexity on one chart and print a table (perplexity per period, final, seconds per epoch). " +
            $"Options that take lists: {string.Join(", ", Varied)}; several lists give every combination. Every other option of train " +
            "applies to all the runs.",
            [output, title, .. texts.Select(t => t.Option), dataDir, threads, initFrom, quiet, .. refused]);
        command.SetAction(parse =>
        {
            if (refused.FirstOrDefault(o => TrainCommand.Given(parse, o)) is { } single)
                throw new RecurrentException($"compare does not take {single.Name}, which every variant would write over: " +
                    "it writes one chart (--out) and a table; train a variant with 'recurrent train' to keep its checkpoint, log or chart.");
            string path = parse.GetValue(output)!;
            Charts.CheckPath(path, "--out");

            var setup = new Setup(new TrainingOptions(), Environment.ProcessorCount);
            var lists = new List<Dimension>();
            foreach (var (row, option) in texts.Where(t => TrainCommand.Given(parse, t.Option)))
            {
                if (option is Option<string[]> many)
                {
                    setup = setup with { Options = row.Apply(setup.Options, parse.GetValue(many)!) };
                    continue;
                }
                string value = parse.GetValue((Option<string>)option)!;
                if (row.Varied && value.Contains(','))
                    lists.Add(new Dimension(row.Flag, Values(row.Flag, value), (s, v) => s with { Options = row.Apply(s.Options, v) }));
                else setup = setup with { Options = row.Apply(setup.Options, value) };
            }
            if (parse.GetValue(threads) is { } threadText)
            {
                if (threadText.Contains(',')) lists.Add(new Dimension(ThreadsFlag, Values(ThreadsFlag, threadText), (s, v) => s with { Threads = Threads(v) }));
                else setup = setup with { Threads = Threads(threadText) };
            }
            if (lists.Count == 0)
                throw new RecurrentException("compare needs an option with several comma-separated values, such as --cell-output tanh,linear.");

            // Every variant's options are checked before the first one trains, so that a bad value in the last
            // list does not surface an hour later.
            string? initPath = parse.GetValue(initFrom);
            var start = initPath is null ? null : Checkpoint.Load(initPath);
            var givenRows = texts.Where(t => TrainCommand.Given(parse, t.Option)).Select(t => t.Row).ToHashSet();
            var variants = Combinations(lists.Select(l => (l.Flag, l.Values)).ToList()).Select(v =>
            {
                var settled = Settle(setup, v, lists);
                if (start is not null)
                    settled = settled with { Options = TrainCommand.InitializedFrom(givenRows.Contains, rows, settled.Options, start, initPath!) };
                settled.Options.Validate();
                return (v.Label, Setup: settled);
            }).ToList();
            foreach (var data in variants.Select(v => v.Setup.Options.Data).Distinct())
                OutputPaths.CheckDistinct([new(path, "--out")],
                    [new(data.Corpus, "--corpus"), new(data.TrainPath, "--train"), new(data.ValidPath, "--valid"), new(data.TestPath, "--test"), new(initPath, "--init-from")]);
            OutputPaths.CheckWritable(path, "--out");

            bool isQuiet = parse.GetValue(quiet);
            var results = new List<VariantResult>();
            for (int i = 0; i < variants.Count && !interruption.Requested; i++)
            {
                var (label, variant) = variants[i];
                if (!isQuiet)
                {
                    if (i > 0) stdout.WriteLine();
                    stdout.WriteLine($"[{i + 1}/{variants.Count}] {Terminal.Visible(label)}");
                    stdout.Flush();
                }
                var result = new VariantResult(label);
                results.Add(result);
                var host = new TrainHost(stdout, stderr, interruption)
                {
                    Variant = $"[{i + 1}/{variants.Count}] {label}", OnEpoch = result.Epochs.Add, ReportStop = false,
                };
                try
                {
                    Parallelism.MaxThreads = variant.Threads;
                    // Each run trains its own copy of the starting weights.
                    var weights = initPath is null ? null : Checkpoint.Load(initPath);
                    TrainingSession.Run(variant.Options, new TrainOutputs { Quiet = isQuiet }, weights, null, initPath, parse.GetValue(dataDir), host);
                }
                catch (TrainingDivergedException e)
                {
                    // One variant diverging is a finding of the comparison, not the end of it.
                    stderr.WriteLine(Terminal.Visible($"{label}: {e.Render(TrainOptionTable.FlagFor)}"));
                    result.DivergedIn = e.Epoch;
                }
                if (interruption.Requested) result.StoppedIn = (result.Epochs.LastOrDefault()?.Epoch ?? 0) + 1;
            }

            var trained = results.Where(r => r.Epochs.Count > 0).ToList();
            if (trained.Count > 0)
            {
                Charts.SavePerplexity(trained.Select(r => new ChartRun(r.Label, r.Epochs)).ToList(), path,
                    parse.GetValue(title) ?? $"Perplexity per epoch: {string.Join(", ", lists.Select(l => l.Flag.TrimStart('-')))}", option: "--out");
            }
            stdout.WriteLine();
            stdout.Write(Table(results, variants[0].Setup.Options.Report.Period));
            stdout.Flush();
            if (trained.Count > 0 && !isQuiet) stderr.WriteLine($"saved {Terminal.Visible(path)}");
            if (interruption.Requested)
            {
                stderr.WriteLine($"stopped during {Terminal.Visible(results[^1].Label)}: the chart and table hold what was trained.");
                return CliApp.Interrupted;
            }
            return 0;
        });
        return command;
    }

    /// <summary>The row's option as compare takes it: text (a list where the row may vary), repeatable where the row is.</summary>
    private static Option AsText(TrainOptionRow row)
    {
        var source = row.Option;
        Option copy = source.ValueType == typeof(string[])
            ? new Option<string[]>(source.Name) { AllowMultipleArgumentsPerToken = false }
            : new Option<string>(source.Name);
        copy.Description = row.Varied ? $"{source.Description} (comma-separated values: one run each)" : source.Description;
        copy.HelpName = source.HelpName;
        return copy;
    }

    /// <summary>A variant's setup, checked: a value its row's parser refuses names the variant.</summary>
    private static Setup Settle(Setup setup, Variant variant, IReadOnlyList<Dimension> lists)
    {
        foreach (var (flag, value) in variant.Choices)
        {
            try
            {
                setup = lists.First(l => l.Flag == flag).Apply(setup, value);
            }
            catch (RecurrentException e) when (e is not OptionException)
            {
                throw new RecurrentException($"{variant.Label}: {e.Message.TrimEnd('.')}.", e);
            }
        }
        return setup;
    }

    private static int Threads(string text)
    {
        var option = CommonOptions.Threads();
        var parse = new Command("value") { option }.Parse([option.Name, text]);
        if (parse.Errors.Count > 0) throw new RecurrentException(CliApp.Readable(parse.Errors[0].Message));
        return CommonOptions.AtLeast(parse, option, 1);
    }

    /// <summary>The values of a list, each once and none empty.</summary>
    internal static string[] Values(string name, string list)
    {
        string[] values = list.Split(',').Select(v => v.Trim()).ToArray();
        if (values.Any(v => v.Length == 0)) throw new RecurrentException($"{name} {list} has an empty value: separate the values with single commas.");
        if (values.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new RecurrentException($"{name} {list} lists {twice.Key} twice.");
        return values;
    }

    /// <summary>A combination of one value per list.</summary>
    internal sealed record Variant(IReadOnlyList<(string Name, string Value)> Choices)
    {
        /// <summary><c>cell-output tanh, lr 10</c>.</summary>
        public string Label => string.Join(", ", Choices.Select(c => $"{c.Name.TrimStart('-')} {c.Value}"));
    }

    /// <summary>Every combination, the first list varying slowest.</summary>
    internal static List<Variant> Combinations(IReadOnlyList<(string Name, string[] Values)> lists)
    {
        IEnumerable<IReadOnlyList<(string, string)>> combinations = [[]];
        foreach (var (name, values) in lists)
            combinations = combinations.SelectMany(c => values.Select(v => (IReadOnlyList<(string, string)>)[.. c, (name, v)])).ToList();
        return combinations.Select(c => new Variant(c)).ToList();
    }

    /// <summary>What one variant's run produced.</summary>
    internal sealed class VariantResult(string label)
    {
        public string Label { get; } = label;

        public List<EpochLogEntry> Epochs { get; } = [];

        public int? DivergedIn { get; set; }

        public int? StoppedIn { get; set; }
    }

    /// <summary>
    /// A Markdown table, padded so that it also reads as plain text: each variant's perplexity at each period, at the
    /// last epoch, its last validation perplexity when there is one, and its mean training seconds per epoch.
    /// </summary>
    internal static string Table(IReadOnlyList<VariantResult> results, int period)
    {
        int last = results.SelectMany(r => r.Epochs).Select(e => e.Epoch).DefaultIfEmpty(0).Max();
        int[] periods = Enumerable.Range(1, last / Math.Max(1, period)).Select(k => k * period).Where(e => e < last).ToArray();
        bool validation = results.Any(r => r.Epochs.Any(e => e.ValidationPerplexity is not null));
        var header = new List<string> { "variant" };
        header.AddRange(periods.Select(e => $"epoch {e}"));
        header.Add($"final (epoch {last})");
        if (validation) header.Add("validation");
        header.Add("sec/epoch");
        var rows = new List<string[]> { header.ToArray() };
        foreach (var r in results)
        {
            var row = new List<string> { r.Label };
            row.AddRange(periods.Select(e => Cell(r, e)));
            var finished = r.Epochs.Where(e => double.IsFinite(e.Perplexity)).ToList();
            row.Add(r.DivergedIn is int d ? $"diverged in epoch {d}"
                : r.StoppedIn is int s ? $"stopped in epoch {s}"
                : finished.Count > 0 ? Number(finished[^1].Perplexity) : "-");
            if (validation) row.Add(r.Epochs.LastOrDefault(e => e.ValidationPerplexity is double v && double.IsFinite(v))?.ValidationPerplexity is double v ? Number(v) : "-");
            row.Add(finished.Count > 0 ? finished.Average(e => e.Seconds).ToString("F2", CultureInfo.InvariantCulture) : "-");
            rows.Add(row.ToArray());
        }
        int[] widths = Enumerable.Range(0, header.Count).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        void Line(IEnumerable<string> cells) => text.Append("| ").Append(string.Join(" | ", cells)).Append(" |\n");
        for (int i = 0; i < rows.Count; i++)
        {
            Line(rows[i].Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c])));
            if (i == 0) Line(widths.Select((w, c) => c == 0 ? new string('-', w) : new string('-', w - 1) + ":"));
        }
        return text.ToString();
    }

    private static string Cell(VariantResult r, int epoch) =>
        r.Epochs.FirstOrDefault(e => e.Epoch == epoch) is { } entry && double.IsFinite(entry.Perplexity) ? Number(entry.Perplexity) : "-";

    private static string Number(double value) => value.ToString("F2", CultureInfo.InvariantCulture);
}
