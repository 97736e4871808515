using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Recurrent.Cli;

/// <summary>
/// What a person sees while <c>recurrent train</c> runs: the book's report lines, notes such as "saved ...", and on a
/// terminal a live progress display below them.
/// </summary>
/// <remarks>
/// Three views: <see cref="Plain"/> writes the book's lines to standard output and notes to standard error, nothing
/// else, so that redirected output is exactly the book's format; the live view draws the same lines above a display
/// of the epoch, minibatch, speed, perplexity and time left; <see cref="Quiet"/> writes neither.
/// </remarks>
internal abstract class TrainingView
{
    /// <summary>The view for a run: quiet when asked, live on a terminal, plain otherwise.</summary>
    /// <param name="host">The streams of the command.</param>
    /// <param name="quiet">--quiet: no report lines, notes or display.</param>
    /// <param name="firstEpoch">The run's first epoch (after a checkpoint's when resumed).</param>
    /// <param name="epochs">The run's last epoch.</param>
    /// <param name="unit">What a token is, for the speed: "chars" or "words".</param>
    public static TrainingView Create(TrainHost host, bool quiet, int firstEpoch, int epochs, string unit)
    {
        if (quiet) return new Quiet();
        if (!Terminal.IsInteractive(host.Stdout)) return new Plain(host.Stdout, host.Stderr);
        var console = Terminal.Create(host.Stdout);
        // Without escape sequences a display cannot redraw itself in place: it would scroll a line per update.
        if (!console.Profile.Capabilities.Ansi) return new Plain(host.Stdout, host.Stderr);
        return new Live(console, Terminal.ErrorSharesTerminal(host.Stderr) ? null : host.Stderr, firstEpoch, epochs, unit, host.Variant);
    }

    /// <summary>Runs the training, with the display shown for as long as it takes.</summary>
    public abstract void Run(Action train);

    /// <summary>The book's lines for an epoch that has predictions: its line, then ` - ` and each prediction.</summary>
    public abstract void Report(EpochReport report);

    /// <summary>A line for the person rather than for the report (standard error).</summary>
    public abstract void Note(string message);

    /// <summary>Where the current epoch stands.</summary>
    public virtual void Progress(MinibatchProgress progress) { }

    /// <summary>The book's lines, as <see cref="Report"/> writes them.</summary>
    public static IEnumerable<string> Lines(EpochReport report) =>
        report.Predictions.Count == 0 ? [] : [report.Line, .. report.Predictions.Select(p => $" - {p}")];

    /// <summary>The book's lines on standard output and notes on standard error, nothing more.</summary>
    internal sealed class Plain(TextWriter stdout, TextWriter stderr) : TrainingView
    {
        public override void Run(Action train) => train();

        public override void Report(EpochReport report)
        {
            foreach (string line in Lines(report)) stdout.WriteLine(line);
            stdout.Flush();
        }

        public override void Note(string message) => stderr.WriteLine(Terminal.Visible(message));
    }

    /// <summary>Nothing at all: --quiet.</summary>
    internal sealed class Quiet : TrainingView
    {
        public override void Run(Action train) => train();

        public override void Report(EpochReport report) { }

        public override void Note(string message) { }
    }

    /// <summary>
    /// A Spectre.Console live display under the report lines, which are written through the same console so that
    /// they land above it; the display is cleared when the run ends, leaving the lines of the plain view.
    /// </summary>
    private sealed class Live(IAnsiConsole console, TextWriter? stderr, int firstEpoch, int epochs, string unit, string? variant) : TrainingView
    {
        // Redrawing after every minibatch would cost more than a small minibatch takes; ten times a second reads as live.
        private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(100);
        private readonly Stopwatch _clock = new();
        private TimeSpan _nextRefresh = TimeSpan.Zero;
        private LiveDisplayContext? _context;

        public override void Run(Action train)
        {
            _clock.Start();
            console.Live(Render(null)).AutoClear(true).Start(context =>
            {
                _context = context;
                try
                {
                    train();
                }
                finally
                {
                    _context = null;
                }
            });
        }

        public override void Report(EpochReport report)
        {
            var lines = Lines(report).ToList();
            if (lines.Count > 0) console.Write(new Above(lines, Style.Plain));
        }

        public override void Note(string message)
        {
            if (stderr is not null) stderr.WriteLine(Terminal.Visible(message));
            else console.Write(new Above([Terminal.Visible(message)], new Style(decoration: Decoration.Dim)));
        }

        public override void Progress(MinibatchProgress progress)
        {
            if (_context is null) return;
            var now = _clock.Elapsed;
            if (now < _nextRefresh && progress.Minibatch < progress.Minibatches) return;
            _nextRefresh = now + RefreshInterval;
            _context.UpdateTarget(Render(progress));
            _context.Refresh();
        }

        private IRenderable Render(MinibatchProgress? progress)
        {
            int epoch = progress?.Epoch ?? firstEpoch;
            double done = progress is { } p ? (p.Epoch - firstEpoch + (double)p.Minibatch / p.Minibatches) / (epochs - firstEpoch + 1) : 0;
            string head = (variant is null ? "" : $"[bold]{Markup.Escape(variant)}[/]  ") +
                $"epoch {epoch}/{epochs}  minibatch {progress?.Minibatch ?? 0}/{(progress?.Minibatches is int n ? n.ToString(CultureInfo.InvariantCulture) : "?")}";
            string bar = Bar(done, 30);
            string figures = progress is { } q
                ? ProgressText.Figures(q.TokensPerSecond, unit, q.Perplexity, ProgressText.Remaining(_clock.Elapsed, done))
                : "starting";
            return new Rows(
                new Markup($"{head}  {bar} {done * 100,3:F0}%"),
                new Markup($"[dim]{Markup.Escape(figures)}[/]"));
        }

        /// <summary>
        /// Lines written where the display was, before it is drawn again below them. The display's lines are longer
        /// than most report lines, and a prediction can wrap onto the next row: what was on screen from there down
        /// is erased first, or the end of the display would show after a shorter line.
        /// </summary>
        private sealed class Above(IReadOnlyList<string> lines, Style style) : IRenderable
        {
            public Measurement Measure(RenderOptions options, int maxWidth) => new(0, maxWidth);

            public IEnumerable<Segment> Render(RenderOptions options, int maxWidth)
            {
                yield return Segment.Control("\u001b[J");   // erase from the cursor to the end of the screen
                foreach (string line in lines)
                {
                    yield return new Segment(line, style);
                    yield return Segment.LineBreak;
                }
            }
        }

        private static string Bar(double fraction, int width)
        {
            int filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * width);
            return $"[green]{new string('━', filled)}[/][grey23]{new string('━', width - filled)}[/]";
        }
    }
}
