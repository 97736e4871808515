using System.CommandLine;
using System.Globalization;
using System.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Recurrent.Cli;

/// <summary>
/// <c>recurrent corpus info</c>: what a model trained on a corpus will see — its characters, its vocabulary, the most
/// frequent characters, and how many minibatches an epoch makes with each sampling.
/// </summary>
/// <remarks>
/// On a terminal the figures are Spectre.Console tables; when standard output is redirected (a pipe, a file, a test)
/// they are plain aligned text without escape sequences, for grep and for reading in any editor.
/// </remarks>
internal static class CorpusCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var corpus = new Argument<string>("corpus") { Description = "built-in corpus (jaychou, timemachine) or a path to a UTF-8 text or zip file" };
        var maxChars = new Option<int?>("--max-chars") { Description = "keep only the first N characters (default: 10000 for jaychou, the whole file otherwise)" };
        var dataDir = CommonOptions.DataDirectory();
        var batch = new Option<int>("--batch-size") { Description = "examples B per minibatch", DefaultValueFactory = _ => 32 };
        var steps = new Option<int>("--steps") { Description = "time steps T per example", DefaultValueFactory = _ => 35 };
        var top = new Option<int>("--top") { Description = "how many of the most frequent characters to list (0: none)", DefaultValueFactory = _ => 10 };

        var info = CommonOptions.Command("info", "Show a corpus's characters, vocabulary, most frequent characters and minibatches per epoch.",
            corpus, maxChars, dataDir, batch, steps, top);
        info.SetAction(parse =>
        {
            int batchSize = CommonOptions.AtLeast(parse, batch, 1), stepCount = CommonOptions.AtLeast(parse, steps, 1);
            int topCount = CommonOptions.AtLeast(parse, top, 0);

            var loader = new CorpusLoader(new CorpusLoaderOptions { DataDirectory = parse.GetValue(dataDir), Log = m => stderr.WriteLine(Terminal.Visible(m)) });
            var text = loader.Load(parse.GetValue(corpus)!, parse.GetValue(maxChars));
            var summary = CorpusSummary.Of(text, batchSize, stepCount, topCount);
            if (Terminal.IsInteractive(stdout)) WriteTables(summary, stdout);
            else WritePlain(summary, stdout);
            return 0;
        });
        var command = new Command("corpus", "Inspect a corpus before training on it.") { info };
        // Without an action of its own, 'recurrent corpus' would only say "Required command was not provided".
        command.SetAction(int (ParseResult _) => throw new RecurrentException("'recurrent corpus' needs a subcommand: 'recurrent corpus info NAME|PATH' describes a corpus."));
        return command;
    }

    private static void WritePlain(CorpusSummary s, TextWriter output)
    {
        output.WriteLine(Columns(
        [
            ["corpus", s.Name],
            ["source", s.Source],
            ["characters", Count(s.Length)],
            ["vocabulary", $"{Count(s.VocabularySize)} distinct characters"],
        ], rightAligned: []));
        if (s.Frequent.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"most frequent characters:");
            output.WriteLine(Columns(
                [["character", "code point", "count", "share"], .. s.Frequent.Select(f => new[] { Visible(f.Token), CodePoint(f.Token), Count(f.Count), Share(f.Count, s.Length) })],
                rightAligned: [2, 3], indent: "  "));
        }
        output.WriteLine();
        output.WriteLine($"minibatches per epoch of {s.BatchSize} examples x {s.Steps} steps:");
        output.WriteLine(Columns(
            [["sampling", "minibatches", "characters per epoch"], .. s.Samplings.Select(m => new[] { Name(m.Sampling), Count(m.Minibatches), Used(m, s) })],
            rightAligned: [1, 2], indent: "  "));
        foreach (var note in s.Notes) output.WriteLine(note);
    }

    private static void WriteTables(CorpusSummary s, TextWriter stdout)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });
        // Text, not markup: a corpus name or character such as '[' must not be read as a style.
        var about = new Grid().AddColumn(new GridColumn().PadRight(2)).AddColumn();
        about.AddRow(Dim("corpus"), new Text(s.Name, new Style(decoration: Decoration.Bold)));
        about.AddRow(Dim("source"), new Text(s.Source));
        about.AddRow(Dim("characters"), new Text(Count(s.Length)));
        about.AddRow(Dim("vocabulary"), new Text($"{Count(s.VocabularySize)} distinct characters"));
        console.Write(about);

        if (s.Frequent.Count > 0)
        {
            console.WriteLine();
            var frequent = new Table().Border(TableBorder.Rounded).Title(new TableTitle("most frequent characters"));
            frequent.AddColumn("character").AddColumn("code point").AddColumn(new TableColumn("count").RightAligned()).AddColumn(new TableColumn("share").RightAligned());
            foreach (var (token, count) in s.Frequent)
                frequent.AddRow(new Text(Visible(token)), Dim(CodePoint(token)), new Text(Count(count)), new Text(Share(count, s.Length)));
            console.Write(frequent);
        }

        console.WriteLine();
        var batches = new Table().Border(TableBorder.Rounded).Title(new TableTitle($"minibatches per epoch of {s.BatchSize} examples x {s.Steps} steps"));
        batches.AddColumn("sampling").AddColumn(new TableColumn("minibatches").RightAligned()).AddColumn(new TableColumn("characters per epoch").RightAligned());
        foreach (var m in s.Samplings)
            batches.AddRow(new Text(Name(m.Sampling)), new Text(Count(m.Minibatches), m.Minibatches == 0 ? new Style(Color.Red) : Style.Plain), new Text(Used(m, s)));
        console.Write(batches);
        foreach (var note in s.Notes) console.Write(new Text(note + "\n", new Style(Color.Yellow)));
    }

    private static Text Dim(string text) => new(text, new Style(decoration: Decoration.Dim));

    /// <summary>Rows of cells in columns two spaces apart, padded by their width on a terminal (a CJK character takes two columns).</summary>
    private static string Columns(IReadOnlyList<string[]> rows, int[] rightAligned, string indent = "")
    {
        int columns = rows.Max(r => r.Length);
        int[] widths = Enumerable.Range(0, columns).Select(c => rows.Max(r => c < r.Length ? r[c].GetCellWidth() : 0)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            var line = new StringBuilder(indent);
            for (int c = 0; c < row.Length; c++)
            {
                string padding = new(' ', widths[c] - row[c].GetCellWidth());
                if (c > 0) line.Append("  ");
                line.Append(rightAligned.Contains(c) ? padding + row[c] : row[c] + (c < row.Length - 1 ? padding : ""));
            }
            text.Append(line.ToString().TrimEnd()).Append('\n');
        }
        return text.ToString().TrimEnd('\n');
    }

    private static string Name(Sampling sampling) => sampling.ToString().ToLowerInvariant();

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Share(long part, long whole) => (100.0 * part / whole).ToString("F1", CultureInfo.InvariantCulture) + "%";

    private static string Used(SamplingSummary m, CorpusSummary s) =>
        m.Minibatches == 0 ? "-" : $"{Count(m.Characters)} ({Share(m.Characters, s.Length)})";

    private static string CodePoint(string token) => $"U+{Rune.GetRuneAt(token, 0).Value:X4}";

    /// <summary>
    /// A character as it can be seen in a table: the space as ␠, other C0 controls as their Unicode control pictures
    /// (line feed ␊, tab ␉), and other invisible or combining characters as U+XXXX.
    /// </summary>
    internal static string Visible(string token)
    {
        var rune = Rune.GetRuneAt(token, 0);
        if (rune.Value == ' ') return "\u2420";
        if (rune.Value < 0x20) return ((char)(0x2400 + rune.Value)).ToString();
        if (rune.Value == 0x7F) return "\u2421";
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark
                or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate
                or UnicodeCategory.OtherNotAssigned => $"U+{rune.Value:X4}",
            _ => token,
        };
    }

    /// <summary>The minibatches of one epoch with one sampling, and the characters they read as inputs.</summary>
    private sealed record SamplingSummary(Sampling Sampling, int Minibatches, long Characters);

    /// <summary>The figures <c>corpus info</c> shows.</summary>
    private sealed record CorpusSummary(string Name, string Source, int Length, int VocabularySize,
        IReadOnlyList<(string Token, int Count)> Frequent, int BatchSize, int Steps, IReadOnlyList<SamplingSummary> Samplings,
        IReadOnlyList<string> Notes)
    {
        public static CorpusSummary Of(Corpus corpus, int batchSize, int steps, int top)
        {
            int[] counts = new int[corpus.Vocabulary.Size];
            foreach (int index in corpus.Indices) counts[index]++;
            var frequent = Enumerable.Range(0, counts.Length)
                .OrderByDescending(i => counts[i]).ThenBy(i => i)   // ties in vocabulary (code point) order
                .Take(top)
                .Select(i => (corpus.Vocabulary.Tokens[i], counts[i]))
                .ToList();

            var samplings = new List<SamplingSummary>();
            var notes = new List<string>();
            foreach (var sampling in new[] { Sampling.Random, Sampling.Consecutive })
            {
                int minibatches = Minibatches.PerEpoch(sampling, corpus.Length, batchSize, steps);
                samplings.Add(new SamplingSummary(sampling, minibatches, (long)minibatches * batchSize * steps));
                if (minibatches == 0)
                    notes.Add($"{CorpusCommand.Name(sampling)} sampling needs at least {Count(Minibatches.MinimumCorpusLength(sampling, batchSize, steps))} characters " +
                        "for one minibatch: lower --batch-size or --steps.");
            }
            return new CorpusSummary(Terminal.Visible(corpus.Name), Terminal.Visible(corpus.Source), corpus.Length, corpus.Vocabulary.Size, frequent, batchSize, steps, samplings, notes);
        }
    }
}
