using System.CommandLine;
using System.CommandLine.Help;

namespace Recurrent.Cli;

/// <summary>
/// The <c>recurrent</c> command line: builds the commands, runs the one asked for, and turns every user error
/// into one sentence on stderr with exit code 2 (internal errors: exit code 1).
/// </summary>
public static class CliApp
{
    /// <summary>Exit code for a user error: a bad option, file, corpus, checkpoint or prefix.</summary>
    public const int UserError = 2;

    /// <summary>Exit code for an internal error.</summary>
    public const int InternalError = 1;

    /// <summary>Exit code of a run stopped with Ctrl-C (128 + SIGINT, as shells report it) after it saved what it had.</summary>
    public const int Interrupted = 130;

    /// <summary>Exit code when standard output could not be written (EX_IOERR): a full disk, a closed stream.</summary>
    public const int OutputFailed = 74;

    /// <summary>Exit code when the reader of standard output went away (128 + SIGPIPE, as shells report it); nothing is printed.</summary>
    public const int BrokenPipe = 141;

    /// <summary>Runs the command line with the given streams (tests pass their own reader and writers).</summary>
    /// <param name="args">The arguments after the program's name.</param>
    /// <param name="stdin">Standard input (generate --interactive).</param>
    /// <param name="stdout">Standard output.</param>
    /// <param name="stderr">Standard error.</param>
    /// <param name="interruption">Ctrl-C as the process receives it; null when nothing can interrupt the run.</param>
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr, Interruption? interruption = null)
    {
        interruption ??= new Interruption();
        // A plain command named 'recurrent' rather than RootCommand, which takes its name from the entry assembly
        // (Recurrent.Cli) and would print that in every usage line, under 'dotnet run' and as an installed tool alike.
        var root = new Command("recurrent", "Recurrent: character-level LSTM language models from scratch in C#, after Dive into Deep Learning.")
        {
            new HelpOption(),
            new VersionOption(),
            TrainCommand.Create(stdout, stderr, interruption),
            CompareCommand.Create(stdout, stderr, interruption),
            GenerateCommand.Create(stdin, stdout, stderr),
            EvaluateCommand.Create(stdout, stderr),
            ExportCommand.Create(stdout),
            ImportCommand.Create(stdout),
            CorpusCommand.Create(stdout, stderr),
            PlotCommand.Create(stdout, stderr),
            BenchCommand.Create(stdout, stderr),
            ServeCommand.Create(stdout, stderr, interruption),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // "Required command was not provided" comes first for 'recurrent nosuchcommand'; the unrecognized word says more.
            var error = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            stderr.WriteLine($"error: {Terminal.Visible(Sentence(Readable(error.Message)))} Run 'recurrent --help' for the options.");
            return UserError;
        }
        bool verbose = args.Contains("--verbose");
        try
        {
            int code = parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
            return stdout is StandardStream { Failure: not null } failed ? OutputFailure(failed, stderr) : code;
        }
        catch (StandardStreamException) when (stdout is StandardStream failed)
        {
            return OutputFailure(failed, stderr);
        }
        catch (RecurrentException e)
        {
            // Library keys become this command line's flags; a file name in the message is shown, not obeyed.
            stderr.WriteLine($"error: {Terminal.Visible(e.Render(TrainOptionTable.FlagFor))}");
            return UserError;
        }
        catch (Exception e)
        {
            stderr.WriteLine(verbose ? $"internal error: {e}" : $"internal error: {Terminal.Visible(e.Message)} (run with --verbose for details)");
            return InternalError;
        }
    }

    // A run that stopped for its standard output has said what it saved on standard error; a closed pipe needs no more.
    private static int OutputFailure(StandardStream stdout, TextWriter stderr)
    {
        if (stdout.BrokenPipe) return BrokenPipe;
        stderr.WriteLine($"error: standard output could not be written: {Terminal.Visible(stdout.Failure!.Message.TrimEnd('.'))}.");
        return OutputFailed;
    }

    /// <summary>System.CommandLine's message for a value of the wrong type, without .NET's type names.</summary>
    internal static string Readable(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, @"^Cannot parse argument '(.*)' for option '(.*)' as expected type '(?:System\.Nullable`1\[)?(?:System\.)?(\w+)\]?'\.?$");
        if (!match.Success) return message;
        string? kind = match.Groups[3].Value switch
        {
            "Int32" or "Int64" => "a whole number",
            "UInt64" or "UInt32" => "a whole number, 0 or more",
            "Single" or "Double" => "a number",
            _ => null,
        };
        return kind is null ? message : $"{match.Groups[2].Value} takes {kind}, not '{match.Groups[1].Value}'";
    }

    private static string Sentence(string message) => message.EndsWith('.') ? message : message + ".";
}
