using System.Text.RegularExpressions;
using Recurrent.Cli;
using Recurrent.Tests.Checkpoints;

namespace Recurrent.Tests.Cli;

/// <summary>
/// The command line in process, as <c>recurrent</c> runs it but with the test's own streams (so output is never a
/// terminal); the small training run most command tests make; and the shape of a user error.
/// </summary>
internal static class CliHarness
{
    /// <summary>Runs <c>recurrent <paramref name="args"/></c> with empty standard input.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args) => Run(args, stdin: "");

    /// <summary>Runs <c>recurrent <paramref name="args"/></c>.</summary>
    /// <param name="args">The arguments after the program's name.</param>
    /// <param name="stdin">Standard input (generate --interactive).</param>
    /// <param name="stdout">
    /// Standard output when the test watches it as it is written (to see flushes, or to stop the run at a given line);
    /// its text is what is returned.
    /// </param>
    /// <param name="interruption">Ctrl-C as the test presses it; none by default.</param>
    public static (int Code, string Out, string Err) Run(string[] args, string stdin = "", TextWriter? stdout = null, Interruption? interruption = null)
    {
        stdout ??= new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, new StringReader(stdin), stdout, stderr, interruption);
        return (code, stdout.ToString()!, stderr.ToString());
    }

    /// <summary>Exit code 2, nothing on stdout, and one sentence on stderr (no stack trace) holding every fragment.</summary>
    public static void AssertUserError((int Code, string Out, string Err) result, params string[] fragments)
    {
        Assert.Equal(CliApp.UserError, result.Code);
        Assert.Equal("", result.Out);
        string err = result.Err.TrimEnd();
        Assert.StartsWith("error: ", err);
        Assert.DoesNotContain('\n', err);
        Assert.DoesNotContain("   at ", err);
        foreach (string fragment in fragments) Assert.Contains(fragment, err);
    }

    /// <summary>Writes the corpus of the small runs (<see cref="CheckpointFixtures.Text"/> three times) to corpus.txt in <paramref name="dir"/>.</summary>
    public static string SmallCorpus(TempFolder dir) => dir.File("corpus.txt", string.Concat(Enumerable.Repeat(CheckpointFixtures.Text, 3)));

    /// <summary>A small, quick run on <paramref name="corpus"/>; an option in <paramref name="extra"/> replaces its default here.</summary>
    public static string[] Train(string corpus, params string[] extra) => WithDefaults("train", extra,
        "--corpus", corpus, "--hidden", "8", "--batch-size", "2", "--steps", "4", "--lr", "1", "--clip", "1",
        "--pred-len", "5", "--prefix", "分开", "--threads", "1");

    /// <summary>The command, the defaults not given in <paramref name="extra"/> (option and value pairs), then <paramref name="extra"/>.</summary>
    public static string[] WithDefaults(string command, string[] extra, params string[] defaults)
    {
        var args = new List<string> { command };
        for (int i = 0; i < defaults.Length; i += 2)
            if (!extra.Contains(defaults[i])) args.AddRange([defaults[i], defaults[i + 1]]);
        return [.. args, .. extra];
    }

    /// <summary>The lines without their times, which differ from run to run.</summary>
    public static string[] WithoutTimes(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => Regex.Replace(l, @", time \d+\.\d\d sec$", "")).ToArray();
}
