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
    public static Option<string?> DataDirectory(string description = "folder whose jaychou_lyrics.txt.zip or timemachine.txt replaces the built-in copy (same SHA-256)") =>
        new("--data-dir") { Description = description };

    /// <summary>A command with its arguments and options, and the --verbose every command takes.</summary>
    public static Command Command(string name, string description, params Symbol[] symbols)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols)
        {
            if (symbol is Argument argument) command.Add(argument);
            else command.Add((Option)symbol);
        }
        command.Add(Verbose());
        return command;
    }

    /// <summary>The value of <paramref name="option"/>, refused in one sentence when below <paramref name="minimum"/>.</summary>
    public static int AtLeast(ParseResult parse, Option<int> option, int minimum)
    {
        int value = parse.GetValue(option);
        if (value < minimum) throw new RecurrentException($"{option.Name} must be at least {minimum}, not {value}.");
        return value;
    }

    /// <summary>The value of <paramref name="option"/>, refused in one sentence when outside <paramref name="minimum"/>..<paramref name="maximum"/>.</summary>
    public static int Between(ParseResult parse, Option<int> option, int minimum, int maximum)
    {
        int value = parse.GetValue(option);
        if (value < minimum || value > maximum) throw new RecurrentException($"{option.Name} must be from {minimum} to {maximum}, not {value}.");
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
