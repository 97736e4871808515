using System.CommandLine;

namespace Recurrent.Cli;

/// <summary>The options several commands take, declared once, and the check of a whole-number option's lower bound.</summary>
internal static class CommonOptions
{
    /// <summary>--verbose: the stack trace of an internal error.</summary>
    public static Option<bool> Verbose() => new("--verbose") { Description = "show the stack trace of an internal error" };

    /// <summary>--threads: compute threads, all cores by default.</summary>
    public static Option<int> Threads() =>
        new("--threads") { Description = "compute threads (default: all cores)", DefaultValueFactory = _ => Environment.ProcessorCount };

    /// <summary>--data-dir: where the corpus files are.</summary>
    public static Option<string?> DataDirectory(string description = "folder holding the corpus files") =>
        new("--data-dir") { Description = description };

    /// <summary>The value of <paramref name="option"/>, refused in one sentence when below <paramref name="minimum"/>.</summary>
    public static int AtLeast(ParseResult parse, Option<int> option, int minimum)
    {
        int value = parse.GetValue(option);
        if (value < minimum) throw new RecurrentException($"{option.Name} must be at least {minimum}, not {value}.");
        return value;
    }

    /// <summary>The value of an optional <paramref name="option"/>, refused in one sentence when given below <paramref name="minimum"/>.</summary>
    public static int? AtLeast(ParseResult parse, Option<int?> option, int minimum)
    {
        int? value = parse.GetValue(option);
        if (value < minimum) throw new RecurrentException($"{option.Name} must be at least {minimum}, not {value}.");
        return value;
    }
}
