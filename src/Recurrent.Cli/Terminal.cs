using Spectre.Console;

namespace Recurrent.Cli;

/// <summary>Whether output goes to a person at a terminal, and the Spectre.Console console that draws there.</summary>
internal static class Terminal
{
    /// <summary>
    /// True when <paramref name="stdout"/> is the process's standard output, not redirected, on a terminal that
    /// takes escape sequences: tables, colours and live displays are for it; pipes, files and tests get plain text.
    /// </summary>
    public static bool IsInteractive(TextWriter stdout) =>
        stdout is StandardStream && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb";

    /// <summary>True when standard error shows on the same terminal as an interactive standard output.</summary>
    public static bool ErrorSharesTerminal(TextWriter stderr) => stderr is StandardStream && !Console.IsErrorRedirected;

    /// <summary>A console writing to <paramref name="stdout"/>; interactive, since a live display needs no input.</summary>
    public static IAnsiConsole Create(TextWriter stdout) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout), Interactive = InteractionSupport.Yes });
}
