using System.Diagnostics;
using System.Globalization;

namespace Recurrent.Bench;

/// <summary>A benchmark's child process: ours or a peer's, run apart so that its peak memory is its own.</summary>
internal static class MeasuredProcess
{
    /// <summary>Runs a command under /usr/bin/time (when present) for its peak resident memory; returns its output and that peak in MB.</summary>
    public static (string? Output, double? PeakMegabytes) Run(string file, string[] args, (string, string)[] environment)
    {
        bool timed = File.Exists("/usr/bin/time");
        string peakFile = Path.GetTempFileName();
        var info = new ProcessStartInfo(timed ? "/usr/bin/time" : file) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (timed) foreach (string a in new[] { "-f", "%M", "-o", peakFile, file }) info.ArgumentList.Add(a);
        foreach (string a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine($"{Path.GetFileName(file)} {string.Join(' ', args.Take(2))} exited with {process.ExitCode}: {stderr.Result.Trim()}");
            return (null, null);
        }
        double? peak = timed && double.TryParse(File.ReadAllText(peakFile).Trim().Split('\n')[^1], CultureInfo.InvariantCulture, out double kb) ? kb * 1024 / 1e6 : null;
        File.Delete(peakFile);
        _ = stderr.Result;
        return (output, peak);
    }
}
