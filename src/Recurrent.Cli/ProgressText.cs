using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Recurrent.Cli;

/// <summary>The text of the progress display, apart from Spectre.Console so that it can be tested.</summary>
internal static class ProgressText
{
    /// <summary>Speed, perplexity and time left: <c>14,300 chars/s · perplexity 87.31 · 0:52 left</c>.</summary>
    public static string Figures(double tokensPerSecond, string unit, double perplexity, TimeSpan? remaining) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{tokensPerSecond:N0} {unit}/s · perplexity {Perplexity(perplexity)} · {(remaining is { } r ? Duration(r) + " left" : "time left unknown")}");

    /// <summary>
    /// The time the rest of the run will take at the pace so far (epochs with predictions included), or null
    /// before anything is done.
    /// </summary>
    public static TimeSpan? Remaining(TimeSpan elapsed, double fractionDone) =>
        fractionDone > 0 && fractionDone <= 1 ? elapsed * ((1 - fractionDone) / fractionDone) : null;

    /// <summary>A duration as a clock shows it: <c>0:07</c>, <c>12:30</c>, <c>2:05:00</c>.</summary>
    public static string Duration(TimeSpan span)
    {
        long seconds = (long)Math.Ceiling(span.TotalSeconds);
        return seconds >= 3600
            ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600}:{seconds / 60 % 60:00}:{seconds % 60:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}:{seconds % 60:00}");
    }

    /// <summary>Two decimals, or none once the number is large: a perplexity early in training has four or more digits.</summary>
    public static string Perplexity(double value) =>
        !double.IsFinite(value) ? value.ToString(CultureInfo.InvariantCulture)
        : value >= 1000 ? value.ToString("N0", CultureInfo.InvariantCulture)
        : value.ToString("F2", CultureInfo.InvariantCulture);
}
