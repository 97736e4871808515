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
/// Every option of <c>train</c> is an option of <c>compare</c>, checked by <c>train</c> itself: each variant is the
/// train command line with one value per varied option, parsed and run as <c>recurrent train</c> would. Options that
/// write files of a single run (--save, --log, --plot, --resume) are refused, since the variants would overwrite them.
/// </remarks>
internal static class CompareCommand
{
    /// <summary>The train options that take several comma-separated values, in the order the help lists them.</summary>
    internal static readonly string[] Varied =
    [
        "--cell-output", "--cell", "--model", "--optimizer", "--hidden", "--lr", "--clip", "--sampling", "--layers", "--embedding",
        "--dropout", "--steps", "--batch-size", "--init", "--loss-scale", "--momentum", "--beta1", "--beta2", "--weight-decay",
        "--lr-decay", "--lr-decay-after", "--seed", "--max-chars", "--threads",
    ];

    // Files a single run writes, which every variant would overwrite; and options that continue one run.
    private static readonly string[] Refused = ["--save", "--save-every", "--save-best", "--resume", "--log", "--plot"];

    public static Command Create(TextWriter stdout, TextWriter stderr, Interruption interruption)
    {
        var output = new Option<string>("--out") { Description = "the chart to write: .svg or .png", Required = true, HelpName = "path" };
        var title = new Option<string?>("--title") { Description = "title of the chart (default: the options compared)", HelpName = "text" };
        var command = new Command("compare",
            "Train one run per value of options given as comma-separated lists (e.g. --cell-output tanh,linear), each on the same data " +
            "from the same seed, then draw their perplexity on one chart and print a table (perplexity per period, final, seconds per epoch). " +
            $"Options that take lists: {string.Join(", ", Varied)}; several lists give every combination. Every other option of train " +
            "applies to all the runs.")
        {
            output, title,
        };
        // The options of train, as text: train checks each variant's values as it checks its own.
        var passed = new List<Option>();
        var refused = new List<Option<string>>();
        foreach (var option in TrainCommand.Create(new TrainHost(TextWriter.Null, TextWriter.Null, new Interruption())).Options)
        {
            if (Refused.Contains(option.Name))
            {
                // Hidden, and accepted only to say why they are refused rather than "unrecognized".
                var hidden = new Option<string>(option.Name) { Hidden = true };
                command.Add(hidden);
                refused.Add(hidden);
                continue;
            }
            Option copy = option.ValueType == typeof(bool) ? new Option<bool>(option.Name)
                : option.ValueType == typeof(string[]) ? new Option<string[]>(option.Name) { AllowMultipleArgumentsPerToken = false }
                : new Option<string>(option.Name);
            copy.Description = Varied.Contains(option.Name) ? $"{option.Description} (comma-separated values: one run each)" : option.Description;
            copy.HelpName = option.HelpName;
            command.Add(copy);
            passed.Add(copy);
        }
        command.SetAction(parse =>
        {
            if (refused.FirstOrDefault(o => TrainCommand.Given(parse, o)) is { } single)
                throw new RecurrentException($"compare does not take {single.Name}, which every variant would write over: " +
                    "it writes one chart (--out) and a table; train a variant with 'recurrent train' to keep its checkpoint, log or chart.");
            string path = parse.GetValue(output)!;
            Charts.CheckPath(path, "--out");
            var fixedArgs = new List<string>();
            var lists = new List<(string Name, string[] Values)>();
            foreach (var option in passed)
            {
                if (!TrainCommand.Given(parse, option)) continue;
                if (option.ValueType == typeof(bool))
                {
                    if (parse.GetValue((Option<bool>)option)) fixedArgs.Add(option.Name);
                }
                else if (option.ValueType == typeof(string[]))
                {
                    foreach (string value in parse.GetValue((Option<string[]>)option) ?? []) fixedArgs.AddRange([option.Name, value]);
                }
                else if (parse.GetValue((Option<string>)option) is { } value)
                {
                    if (Varied.Contains(option.Name) && value.Contains(','))
                        lists.Add((option.Name, Values(option.Name, value)));
                    else fixedArgs.AddRange([option.Name, value]);
                }
            }
            if (lists.Count == 0)
                throw new RecurrentException("compare needs an option with several comma-separated values, such as --cell-output tanh,linear.");
            var variants = Combinations(lists);

            // Every variant's options are checked before the first one trains, so that a bad value in the last
            // list does not surface an hour later.
            TrainingOptions? settled = null;
            foreach (var variant in variants)
            {
                var check = TrainCommand.Create(new TrainHost(TextWriter.Null, TextWriter.Null, new Interruption()) { CheckOnly = true, OnOptions = o => settled ??= o });
                Invoke(check, variant.Args(fixedArgs), variant.Label);
            }

            bool quiet = parse.GetValue(passed.OfType<Option<bool>>().Single(o => o.Name == "--quiet"));
            var results = new List<VariantResult>();
            for (int i = 0; i < variants.Count && !interruption.Requested; i++)
            {
                var variant = variants[i];
                if (!quiet)
                {
                    if (i > 0) stdout.WriteLine();
                    stdout.WriteLine($"[{i + 1}/{variants.Count}] {variant.Label}");
                    stdout.Flush();
                }
                var result = new VariantResult(variant.Label);
                results.Add(result);
                var host = new TrainHost(stdout, stderr, interruption)
                {
                    Variant = $"[{i + 1}/{variants.Count}] {variant.Label}", OnEpoch = result.Epochs.Add, ReportStop = false,
                };
                try
                {
                    Invoke(TrainCommand.Create(host), variant.Args(fixedArgs), variant.Label);
                }
                catch (TrainingDivergedException e)
                {
                    // One variant diverging is a finding of the comparison, not the end of it.
                    stderr.WriteLine($"{variant.Label}: {e.Message}");
                    result.DivergedIn = e.Epoch;
                }
                if (interruption.Requested) result.StoppedIn = (result.Epochs.LastOrDefault()?.Epoch ?? 0) + 1;
            }

            var trained = results.Where(r => r.Epochs.Count > 0).ToList();
            if (trained.Count > 0)
            {
                Charts.SavePerplexity(trained.Select(r => new ChartRun(r.Label, r.Epochs)).ToList(), path,
                    parse.GetValue(title) ?? $"Perplexity per epoch: {string.Join(", ", lists.Select(l => l.Name.TrimStart('-')))}", option: "--out");
            }
            stdout.WriteLine();
            stdout.Write(Table(results, settled!.Report.Period));
            stdout.Flush();
            if (trained.Count > 0 && !quiet) stderr.WriteLine($"saved {path}");
            if (interruption.Requested)
            {
                stderr.WriteLine($"stopped during {results[^1].Label}: the chart and table hold what was trained.");
                return CliApp.Interrupted;
            }
            return 0;
        });
        return command;
    }

    /// <summary>Parses a variant's train command line and runs it; a parse error names the variant.</summary>
    private static void Invoke(Command train, string[] args, string label)
    {
        var parse = train.Parse(args);
        if (parse.Errors.Count > 0) throw new RecurrentException($"{label}: {CliApp.Readable(parse.Errors[0].Message).TrimEnd('.')}.");
        parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
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

        public string[] Args(IEnumerable<string> fixedArgs) => [.. fixedArgs, .. Choices.SelectMany(c => new[] { c.Name, c.Value })];
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
