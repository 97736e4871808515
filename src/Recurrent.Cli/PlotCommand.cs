using System.CommandLine;

namespace Recurrent.Cli;

/// <summary>
/// <c>recurrent plot</c>: draws the perplexity per epoch of one or several training logs (written by
/// <c>recurrent train --log</c>) on one chart, saved as SVG or PNG.
/// </summary>
internal static class PlotCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var logs = new Argument<string[]>("log") { Description = "training logs (JSON lines, one object per epoch) written by 'recurrent train --log'", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "the chart to write: .svg or .png", Required = true, HelpName = "path" };
        var label = new Option<string[]>("--label") { Description = "legend label of each log, in their order (repeatable; default: the file names)", AllowMultipleArgumentsPerToken = false, HelpName = "text" };
        var title = new Option<string?>("--title") { Description = "title of the chart (default: Perplexity per epoch)", HelpName = "text" };
        var width = new Option<int>("--width") { Description = "width in pixels", DefaultValueFactory = _ => 800 };
        var height = new Option<int>("--height") { Description = "height in pixels", DefaultValueFactory = _ => 500 };

        var command = CommonOptions.Command("plot", "Draw the perplexity per epoch of one or several training logs on one chart (log scale), as SVG or PNG.",
            logs, output, label, title, width, height);
        command.SetAction(parse =>
        {
            string[] paths = parse.GetValue(logs)!;
            string path = parse.GetValue(output)!;
            // Checked first: a mistyped --out should not wait for the logs to be read.
            Charts.CheckPath(path, "--out");
            string[] labels = parse.GetValue(label) ?? [];
            if (labels.Length > 0 && labels.Length != paths.Length)
                throw new RecurrentException($"--label was given {Times(labels.Length)} for {paths.Length} log{(paths.Length > 1 ? "s" : "")}: " +
                    "give one label per log, in the same order, or none.");
            if (labels.Any(string.IsNullOrWhiteSpace)) throw new RecurrentException("--label cannot be empty.");
            if (labels.Length == 0) labels = DefaultLabels(paths);

            var runs = new List<ChartRun>(paths.Length);
            for (int i = 0; i < paths.Length; i++)
            {
                var epochs = TrainingLog.Read(paths[i]);
                if (epochs.Count == 0) throw new RecurrentException($"The training log {paths[i]} has no epochs.");
                runs.Add(new ChartRun(labels[i], epochs));
            }
            Charts.SavePerplexity(runs, path, parse.GetValue(title), parse.GetValue(width), parse.GetValue(height), "--out");
            stderr.WriteLine($"saved {Terminal.Visible(path)}");
            return 0;
        });
        return command;
    }

    /// <summary>Each log's file name without its extension; the paths as given when two file names are the same.</summary>
    internal static string[] DefaultLabels(string[] paths)
    {
        string[] names = paths.Select(Path.GetFileNameWithoutExtension).Select(n => n ?? "").ToArray();
        bool distinct = names.All(n => n.Length > 0) && names.Distinct(StringComparer.Ordinal).Count() == names.Length;
        return distinct ? names : paths;
    }

    private static string Times(int count) => count == 1 ? "once" : $"{count} times";
}
