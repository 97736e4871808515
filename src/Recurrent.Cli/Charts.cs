using System.Globalization;
using System.Text;
using ScottPlot;

namespace Recurrent.Cli;

/// <summary>A run to draw on a chart: its legend label and its epochs.</summary>
/// <param name="Label">The legend entry (a file name, or <c>--label</c>).</param>
/// <param name="Epochs">The run's epochs, in increasing order.</param>
public sealed record ChartRun(string Label, IReadOnlyList<EpochLogEntry> Epochs);

/// <summary>
/// Draws perplexity per epoch for one or several runs, training as solid lines and validation (when logged) as
/// dashed lines of the same colour, on a logarithmic y axis; saves it as SVG or PNG by the file's extension.
/// </summary>
/// <remarks>
/// ScottPlot 5 has no logarithmic axis: the chart plots log10 of each perplexity and <see cref="LogTicks"/> puts the
/// ticks at round real values (1, 2, 5, 10, 20, ...) labelled with those values. The axis titles are ASCII because a
/// machine may have no font for other scripts; legend labels use whatever font the system has for their characters.
/// </remarks>
public static class Charts
{
    /// <summary>The extensions a chart can be saved with.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".svg", ".png"];

    // Sans-serif faces common on Linux, macOS and Windows, in order of preference.
    private static readonly string[] SansFonts = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Helvetica", "Arial", "Segoe UI"];

    static Charts()
    {
        // ScottPlot's default face resolves to a serif one on Debian (DejaVu Serif); a chart reads better in sans-serif.
        // ScottPlot keeps its fonts in a static setting: the CLI is its only user in the process.
        if (SansFonts.FirstOrDefault(f => Fonts.GetTypeface(f, bold: false, italic: false)?.FamilyName == f) is { } sans) Fonts.Default = sans;
    }

    /// <summary>
    /// Checks that a chart can be saved at <paramref name="path"/> (a known extension, an existing folder), so that a
    /// command can refuse a bad path before it spends time on a run.
    /// </summary>
    /// <param name="path">Where the chart will be saved.</param>
    /// <param name="option">The option that gave the path, for the message (<c>--out</c>, <c>--plot</c>).</param>
    /// <exception cref="RecurrentException">The extension is not .svg or .png, or the folder does not exist.</exception>
    public static void CheckPath(string path, string option)
    {
        ArgumentNullException.ThrowIfNull(path);
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (!Extensions.Contains(extension))
            throw new RecurrentException($"{option} {path} must end in .svg or .png, the formats a chart is saved in" +
                (extension.Length > 0 ? $", not {extension}." : "."));
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder && !Directory.Exists(folder))
            throw new RecurrentException($"The folder {folder} of {option} does not exist.");
    }

    /// <summary>Draws the perplexity of each run per epoch and saves the chart at <paramref name="path"/>.</summary>
    /// <param name="runs">One or several runs; each gets its own colour.</param>
    /// <param name="path">The file: <c>.svg</c> or <c>.png</c>.</param>
    /// <param name="title">The chart's title; null for "Perplexity per epoch".</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <param name="option">The option that gave the path, for the messages.</param>
    /// <exception cref="RecurrentException">The path is not valid (see <see cref="CheckPath"/>), a run has no epochs, or the file cannot be written.</exception>
    public static void SavePerplexity(IReadOnlyList<ChartRun> runs, string path, string? title = null,
        int width = 800, int height = 500, string option = "--out")
    {
        ArgumentNullException.ThrowIfNull(runs);
        CheckPath(path, option);
        CheckRuns(runs, width, height);
        var plot = Draw(runs, title, width);
        try
        {
            if (Path.GetExtension(path).Equals(".svg", StringComparison.OrdinalIgnoreCase)) plot.SaveSvg(path, width, height);
            else plot.SavePng(path, width, height);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecurrentException($"The chart {path} could not be written: {e.Message.TrimEnd('.')}.", e);
        }
    }

    /// <summary>
    /// Draws the same chart as <see cref="SavePerplexity"/> and returns it as PNG bytes, for a program that shows the
    /// image itself (a notebook cell's output) rather than writing a file.
    /// </summary>
    /// <param name="runs">One or several runs; each gets its own colour.</param>
    /// <param name="title">The chart's title; null for "Perplexity per epoch".</param>
    /// <param name="width">Width in pixels.</param>
    /// <param name="height">Height in pixels.</param>
    /// <exception cref="RecurrentException">A run has no epochs, or the size is below 100 or above 20000 pixels.</exception>
    public static byte[] PerplexityPng(IReadOnlyList<ChartRun> runs, string? title = null, int width = 800, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(runs);
        CheckRuns(runs, width, height);
        return Draw(runs, title, width).GetImageBytes(width, height, ImageFormat.Png);
    }

    private static void CheckRuns(IReadOnlyList<ChartRun> runs, int width, int height)
    {
        if (runs.Count == 0) throw new ArgumentException("There is no run to draw.", nameof(runs));
        if (width < 100 || height < 100) throw new RecurrentException($"A chart must be at least 100 x 100 pixels, not {width} x {height}.");
        if (width > 20_000 || height > 20_000) throw new RecurrentException($"A chart can be at most 20000 x 20000 pixels, not {width} x {height}.");
        foreach (var run in runs)
            if (run.Epochs.Count == 0) throw new RecurrentException($"The run {run.Label} has no epochs to draw.");
    }

    // width: the chart's width in pixels, more than its plot area's, so a curve thinned to that many columns loses nothing.
    private static Plot Draw(IReadOnlyList<ChartRun> runs, string? title, int width)
    {
        var plot = new Plot();
        bool anyValidation = runs.Any(r => r.Epochs.Any(e => e.ValidationPerplexity is not null));
        for (int i = 0; i < runs.Count; i++)
        {
            var run = runs[i];
            var color = plot.Add.Palette.GetColor(i);
            // With one run the legend names the curves; with several, the runs (and "validation" tells the dashed ones apart).
            string training = runs.Count == 1 ? "training" : anyValidation ? $"{run.Label} (training)" : run.Label;
            AddCurve(plot, run.Epochs, e => e.Perplexity, color, training, LinePattern.Solid, width);
            if (run.Epochs.Any(e => e.ValidationPerplexity is not null))
            {
                string validation = runs.Count == 1 ? "validation" : $"{run.Label} (validation)";
                AddCurve(plot, run.Epochs, e => e.ValidationPerplexity, color, validation, LinePattern.Dashed, width);
            }
        }

        title ??= runs.Count == 1 ? $"Perplexity per epoch: {runs[0].Label}" : "Perplexity per epoch";
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel("perplexity (log scale)");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Axes.Left.TickGenerator = new LogTicks();
        // Perplexity starts high and falls, so the lower left is the corner curves leave empty; validation curves that
        // rise as a run overfits cross the upper right.
        plot.ShowLegend(Alignment.LowerLeft);
        // A label or title may be Chinese (a file name, a --label): that text then takes a font that has its characters,
        // where one is installed.
        string legend = string.Concat(plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Select(p => p.LegendText));
        if (!Ascii.IsValid(legend) && FontWithGlyphs(legend) is { } legendFont) plot.Legend.FontName = legendFont;
        if (!Ascii.IsValid(title) && FontWithGlyphs(title) is { } titleFont) plot.Axes.Title.Label.FontName = titleFont;
        return plot;
    }

    // The first installed family that draws every character of the text, or null. ScottPlot's Fonts.Detect relies on
    // Skia's character matching, which the fontconfig-free native library used here does not implement.
    private static string? FontWithGlyphs(string text)
    {
        foreach (string family in SkiaSharp.SKFontManager.Default.FontFamilies)
        {
            using var typeface = SkiaSharp.SKTypeface.FromFamilyName(family);
            if (typeface is not null && typeface.FamilyName == family && typeface.ContainsGlyphs(text)) return family;
        }
        return null;
    }

    // A curve of log10(perplexity). Epochs without a value (no validation) are left out, and so are infinite or NaN
    // perplexities, which the legend reports: a run that diverged stops there, and one with no finite value at all
    // still has its legend entry. A long run is thinned to what its pixel columns show (see Thin).
    private static void AddCurve(Plot plot, IReadOnlyList<EpochLogEntry> epochs, Func<EpochLogEntry, double?> value,
        Color color, string label, LinePattern pattern, int columns)
    {
        var points = epochs
            .Select(e => (e.Epoch, Value: value(e)))
            .Where(p => p.Value is double v && double.IsFinite(v) && v > 0)
            .ToList();
        if (epochs.FirstOrDefault(e => value(e) is double v && !double.IsFinite(v)) is { } diverged)
            label += $" (diverged at epoch {diverged.Epoch})";
        var (xs, ys) = Thin(points.Select(p => (double)p.Epoch).ToArray(), points.Select(p => Math.Log10(p.Value!.Value)).ToArray(), columns);
        var scatter = plot.Add.Scatter(xs, ys, color);
        scatter.LegendText = label;
        scatter.LinePattern = pattern;
        scatter.LineWidth = 2;
        // Markers show where the epochs are when there are few of them; on a long run they would only clutter.
        scatter.MarkerSize = points.Count <= 30 ? 5 : 0;
    }

    /// <summary>
    /// A curve of many points cut down to what <paramref name="columns"/> pixel columns show of it: in each column's
    /// stretch of x, its first and last points and those where it is lowest and highest, in their order.
    /// </summary>
    /// <remarks>
    /// A line through those four points per column covers the same pixels as the line through all of them, and a
    /// chart of a 160,000-epoch log then draws a few thousand segments instead of 160,000 (the renderer's time for a
    /// long dashed line grows faster than its length). A curve of at most four points per column is kept whole.
    /// </remarks>
    /// <param name="xs">The x of each point, in increasing order.</param>
    /// <param name="ys">The y of each point.</param>
    /// <param name="columns">How many columns the curve spans at most.</param>
    internal static (double[] Xs, double[] Ys) Thin(double[] xs, double[] ys, int columns)
    {
        if (xs.Length <= 4 * columns) return (xs, ys);
        double low = xs[0], span = xs[^1] - xs[0];
        var keptX = new List<double>(4 * columns);
        var keptY = new List<double>(4 * columns);
        for (int start = 0; start < xs.Length;)
        {
            int column = Column(xs[start]), end = start, lowest = start, highest = start;
            while (end < xs.Length && Column(xs[end]) == column)
            {
                if (ys[end] < ys[lowest]) lowest = end;
                if (ys[end] > ys[highest]) highest = end;
                end++;
            }
            // Sorted and without repeats: one point may be the first, the last and an extreme at once.
            foreach (int i in new SortedSet<int> { start, lowest, highest, end - 1 })
            {
                keptX.Add(xs[i]);
                keptY.Add(ys[i]);
            }
            start = end;
        }
        return (keptX.ToArray(), keptY.ToArray());

        int Column(double x) => Math.Min(columns - 1, (int)((x - low) / span * columns));
    }

    /// <summary>
    /// Ticks for an axis that holds log10 of the values: major ticks at round values labelled with the values
    /// themselves (never "10^2"), minor ticks at the other multiples of each power of ten.
    /// </summary>
    /// <remarks>
    /// The densest of these sets whose labels do not crowd each other wins: 1, 2, ... 9 times each power of ten;
    /// 1, 2, 3, 5; 1, 2, 5; 1; 1 every 2, 3, 5, 10, ... powers of ten. An axis too narrow for two such labels (less than
    /// a factor of two) gets round values evenly spaced in real units instead.
    /// </remarks>
    public sealed class LogTicks : ITickGenerator
    {
        private static readonly int[] All = [1, 2, 3, 4, 5, 6, 7, 8, 9];

        private static readonly int[][] MantissaSets = [All, [1, 2, 3, 5], [1, 2, 5], [1]];

        /// <summary>The ticks of the last <see cref="Regenerate"/>.</summary>
        public Tick[] Ticks { get; set; } = [];

        /// <summary>At most this many ticks are kept.</summary>
        public int MaxTickCount { get; set; } = 10_000;

        /// <summary>Computes the ticks for the axis's current range and length (ScottPlot calls it before each render).</summary>
        public void Regenerate(CoordinateRange range, Edge edge, PixelLength size, Paint paint, LabelStyle labelStyle)
        {
            double low = Math.Min(range.Min, range.Max), high = Math.Max(range.Min, range.Max);
            if (!double.IsFinite(low) || !double.IsFinite(high) || high - low <= 0 || high - low > 300 || size.Length <= 0)
            {
                Ticks = [];
                return;
            }
            // Labels need about two text heights between them vertically, or a few characters' width horizontally.
            double spacing = edge.IsVertical() ? 2 * labelStyle.FontSize : 5 * labelStyle.FontSize;
            Ticks = Generate(low, high, size.Length / (high - low), spacing).Take(MaxTickCount).ToArray();
        }

        /// <summary>The ticks between log10 values <paramref name="low"/> and <paramref name="high"/>.</summary>
        /// <param name="low">The low end of the axis, in log10 units.</param>
        /// <param name="high">The high end of the axis, in log10 units.</param>
        /// <param name="pixelsPerDecade">The length of a factor of ten on the axis.</param>
        /// <param name="spacing">The fewest pixels between two labels.</param>
        public static Tick[] Generate(double low, double high, double pixelsPerDecade, double spacing)
        {
            foreach (int[] mantissas in MantissaSets)
            {
                if (MinimumGap(mantissas) * pixelsPerDecade < spacing) continue;
                var majors = Values(low, high, mantissas, decadeStep: 1);
                if (majors.Count >= 2) return WithMinors(majors, low, high);
                return Linear(low, high, pixelsPerDecade, spacing);   // a sparser set has even fewer values in range
            }
            for (int step = 2; ; step = step < 5 ? step + 1 : step * 2)
            {
                if (step * pixelsPerDecade < spacing) continue;
                var majors = Values(low, high, [1], step);
                return majors.Count >= 2 ? majors.Select(v => Tick.Major(Math.Log10(v), Label(v))).ToArray() : Linear(low, high, pixelsPerDecade, spacing);
            }
        }

        // The smallest distance, in decades, between two neighbours of the set (the last one and the next 1).
        private static double MinimumGap(int[] mantissas) =>
            mantissas.Append(10).Zip(mantissas.Append(10).Skip(1), (a, b) => Math.Log10((double)b / a)).Min();

        // The values mantissa * 10^k (k a multiple of decadeStep) whose log10 lies in [low, high], in increasing order.
        private static List<double> Values(double low, double high, int[] mantissas, int decadeStep)
        {
            var values = new List<double>();
            for (int k = (int)Math.Floor(low); k <= (int)Math.Ceiling(high); k++)
            {
                if (k % decadeStep != 0) continue;
                foreach (int m in mantissas)
                {
                    double position = Math.Log10(m) + k;
                    if (position >= low - 1e-9 && position <= high + 1e-9) values.Add(m * Math.Pow(10, k));
                }
            }
            return values;
        }

        private static Tick[] WithMinors(List<double> majors, double low, double high)
        {
            var ticks = majors.Select(v => Tick.Major(Math.Log10(v), Label(v))).ToList();
            foreach (double v in Values(low, high, All, decadeStep: 1))
            {
                double position = Math.Log10(v);
                if (!ticks.Any(t => Math.Abs(t.Position - position) < 1e-9)) ticks.Add(Tick.Minor(position));
            }
            return ticks.ToArray();
        }

        // Round values evenly spaced in real units (1, 2 or 5 times a power of ten apart), placed at their log10; the
        // step is the smallest whose two top labels, the closest on a log axis, are far enough apart.
        private static Tick[] Linear(double low, double high, double pixelsPerDecade, double spacing)
        {
            double lowValue = Math.Pow(10, low), highValue = Math.Pow(10, high);
            double magnitude = Math.Pow(10, Math.Floor(Math.Log10(highValue - lowValue)) - 2);
            double step = magnitude;
            for (int i = 0; i < 30; i++)
            {
                step = magnitude * new[] { 1.0, 2, 5 }[i % 3] * Math.Pow(10, i / 3);
                if (highValue - step > 0 && Math.Log10(highValue / (highValue - step)) * pixelsPerDecade >= spacing) break;
            }
            var ticks = new List<Tick>();
            for (long n = (long)Math.Ceiling(lowValue / step - 1e-9); n * step <= highValue * (1 + 1e-9); n++)
                ticks.Add(Tick.Major(Math.Log10(n * step), Label(n * step)));
            return ticks.ToArray();
        }

        /// <summary>A tick label: plain decimals (ASCII, invariant), scientific notation only for values too large or small to read.</summary>
        public static string Label(double value) =>
            value is >= 1e6 or < 1e-3
                ? value.ToString("0.#E+0", CultureInfo.InvariantCulture)
                : Math.Round(value, 6).ToString("0.######", CultureInfo.InvariantCulture);
    }
}
