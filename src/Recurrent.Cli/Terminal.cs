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

    /// <summary>
    /// The text with its control characters spelled out (<c>\e</c>, <c>\t</c>, <c>\n</c>, <c>\r</c>, <c>\xHH</c>), for
    /// a line that shows what the user gave, such as a file name: a name holding an escape sequence must not recolour,
    /// move or clear the terminal it is echoed to, nor a line break split a one-line message.
    /// </summary>
    public static string Visible(string text)
    {
        if (!text.Any(char.IsControl)) return text;
        var visible = new System.Text.StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            visible.Append(c switch
            {
                '\x1B' => "\\e",
                '\t' => "\\t",
                '\n' => "\\n",
                '\r' => "\\r",
                _ when char.IsControl(c) => $"\\x{(int)c:X2}",
                _ => c.ToString(),
            });
        }
        return visible.ToString();
    }

    /// <summary>A console writing to <paramref name="stdout"/>; interactive, since a live display needs no input.</summary>
    public static IAnsiConsole Create(TextWriter stdout) =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout), Interactive = InteractionSupport.Yes });
}
