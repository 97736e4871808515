using System.Diagnostics;
using System.Text;

namespace Recurrent.Tests.Cli;

/// <summary>
/// The built <c>recurrent</c> (Recurrent.Cli.dll beside the tests) as a process of its own, run with
/// <c>dotnet</c>, its standard streams redirected, or under a pseudo-terminal (util-linux <c>script</c>).
/// </summary>
internal static class CliProcess
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "Recurrent.Cli.dll");

    /// <summary>How to start <c>recurrent <paramref name="args"/></c>: TERM as given (unset when null), NO_COLOR unset.</summary>
    public static ProcessStartInfo Command(IEnumerable<string> args, string? term = null) => Start("dotnet", [Dll, .. args], term);

    /// <summary>Runs <c>recurrent <paramref name="args"/></c> with its output redirected, to the end (two minutes at most).</summary>
    public static (int Code, string Out, string Err) Run(IEnumerable<string> args, string? term = null) => RunToEnd(Command(args, term));

    /// <summary>
    /// Runs <c>recurrent <paramref name="args"/></c> under a pseudo-terminal: script runs it with the terminal as its
    /// standard streams and copies everything it writes, escape sequences included, to the returned output.
    /// </summary>
    public static (int Code, string Out, string Err) UnderTerminal(IEnumerable<string> args, string term)
    {
        string command = string.Join(' ', new[] { "dotnet", Dll }.Concat(args).Select(Quote));
        return RunToEnd(Start("script", ["-qec", command, "/dev/null"], term));
    }

    /// <summary>
    /// Runs a bash command line in which <c>recurrent</c> is the command (its standard streams as the line arranges them:
    /// a pipe into <c>head</c>, <c>/dev/full</c>, a closed stream), to the end; the line's exit code is its own.
    /// </summary>
    public static (int Code, string Out, string Err) Shell(string commandLine)
    {
        var start = Start("bash", ["-c", "recurrent() { dotnet \"$RECURRENT_DLL\" \"$@\"; }\n" + commandLine], null);
        start.Environment["RECURRENT_DLL"] = Dll;
        return RunToEnd(start);
    }

    private static (int Code, string Out, string Err) RunToEnd(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the command did not finish");
        return (process.ExitCode, stdout, stderr.Result);
    }

    private static ProcessStartInfo Start(string fileName, IEnumerable<string> args, string? term)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8, UseShellExecute = false,
        };
        foreach (string arg in args) start.ArgumentList.Add(arg);
        if (term is null) start.Environment.Remove("TERM");
        else start.Environment["TERM"] = term;
        start.Environment.Remove("NO_COLOR");
        return start;
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''") + "'";
}
