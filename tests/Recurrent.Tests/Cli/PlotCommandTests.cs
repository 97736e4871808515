using System.Buffers.Binary;
using System.Xml.Linq;
using Recurrent.Cli;
using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary><c>recurrent plot</c> end to end (logs in, PNG or SVG out, rendered headless) and its user errors.</summary>
public class PlotCommandTests : FolderTests
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly string _concise, _scratch;

    public PlotCommandTests()
    {
        _concise = Log("concise.jsonl", validation: false, scale: 1.0);
        _scratch = Log("scratch.jsonl", validation: true, scale: 1.2);
    }

    // A run whose perplexity falls from about 1,000 to about 4 over 40 epochs, as the book's run does over 160.
    private string Log(string name, bool validation, double scale, int epochs = 40)
    {
        string path = Dir.File(name);
        using var writer = new TrainingLogWriter(path);
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            double perplexity = scale * (3 + 1000 * Math.Exp(-0.15 * epoch));
            writer.Append(new EpochLogEntry(epoch, perplexity, validation ? perplexity * 1.3 : null, 0.5, 100));
        }
        return path;
    }

    [Fact]
    public void TwoLogsMakeAPng()
    {
        string png = Dir.File("chart.png");
        var result = Run("plot", _concise, _scratch, "--out", png);
        Assert.Equal(0, result.Code);
        Assert.Contains(png, result.Err);
        byte[] bytes = File.ReadAllBytes(png);
        Assert.Equal(PngSignature, bytes[..8]);
        // The IHDR chunk comes first and holds the size, big-endian.
        Assert.Equal("IHDR"u8.ToArray(), bytes[12..16]);
        Assert.Equal(800, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(500, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        // Lines, text and a legend on 800 x 500 compress to tens of kilobytes; a blank image to far less.
        Assert.InRange(bytes.Length, 10_000, 2_000_000);
    }

    [Fact]
    public void TwoLogsMakeAnSvgWithTheGivenSize()
    {
        string svg = Dir.File("chart.svg");
        var result = Run("plot", _concise, _scratch, "--out", svg, "--label", "concise", "--label", "scratch", "--title", "Two runs",
            "--width", "640", "--height", "400");
        Assert.Equal(0, result.Code);
        var document = XDocument.Load(svg);   // throws if the XML is not well formed
        Assert.Equal("svg", document.Root!.Name.LocalName);
        Assert.Equal("640", document.Root.Attribute("width")?.Value);
        Assert.Equal("400", document.Root.Attribute("height")?.Value);
        Assert.True(document.Descendants().Count() > 50, "a chart has many elements");
    }

    [Fact]
    public void PngBytesAreTheChartTheFileHolds()
    {
        // A notebook shows the chart from the bytes; they must be the image a file of the same runs and size holds.
        var runs = new[] { _concise, _scratch }.Select(p => new ChartRun(Path.GetFileName(p), TrainingLog.Read(p))).ToList();
        string png = Dir.File("chart.png");
        Charts.SavePerplexity(runs, png, "Two runs", 640, 400);
        byte[] bytes = Charts.PerplexityPng(runs, "Two runs", 640, 400);
        Assert.Equal(File.ReadAllBytes(png), bytes);
        Assert.Equal(640, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(400, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        Assert.NotEqual(bytes, Charts.PerplexityPng(runs, "Another title", 640, 400));
        Assert.Throws<RecurrentException>(() => Charts.PerplexityPng(runs, width: 10));
    }

    [Fact]
    public void OneLogWithValidationAndAUnusualRange()
    {
        // Perplexities within a factor of 1.2: the log axis falls back to evenly spaced round values.
        string path = Dir.File("flat.jsonl");
        using (var writer = new TrainingLogWriter(path))
            for (int epoch = 1; epoch <= 3; epoch++) writer.Append(new EpochLogEntry(epoch, 3.6 + 0.1 * epoch, 4.0, 0.5, 1));
        string png = Dir.File("flat.png");
        Assert.Equal(0, Run("plot", path, "--out", png).Code);
        Assert.Equal(PngSignature, File.ReadAllBytes(png)[..8]);
    }

    [Fact]
    public void UppercaseExtensionIsAccepted()
    {
        string png = Dir.File("CHART.PNG");
        Assert.Equal(0, Run("plot", _concise, "--out", png).Code);
        Assert.Equal(PngSignature, File.ReadAllBytes(png)[..8]);
    }

    [Theory]
    [InlineData("chart.pdf", ".pdf")]
    [InlineData("chart.jpg", ".jpg")]
    [InlineData("chart", "must end in .svg or .png")]
    public void OtherExtensionsAreRefusedBeforeAnythingIsWritten(string name, string fragment)
    {
        string output = Dir.File(name);
        AssertUserError(Run("plot", _concise, "--out", output), "--out", fragment);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void MissingLogIsNamed()
    {
        string missing = Dir.File("nope.jsonl");
        AssertUserError(Run("plot", _concise, missing, "--out", Dir.File("chart.png")), "nope.jsonl", "does not exist");
        Assert.False(File.Exists(Dir.File("chart.png")));
    }

    [Fact]
    public void BadLineIsNamedWithItsFile()
    {
        string bad = Dir.File("bad.jsonl");
        File.WriteAllText(bad, TrainingLog.Format(new EpochLogEntry(1, 10, null, 1, 1)) + "\n{oops\n");
        AssertUserError(Run("plot", bad, "--out", Dir.File("chart.svg")), "Line 2 of", "bad.jsonl");
    }

    [Fact]
    public void EmptyLogIsAUserError()
    {
        string empty = Dir.File("empty.jsonl");
        File.WriteAllText(empty, "");
        AssertUserError(Run("plot", empty, "--out", Dir.File("chart.svg")), "empty.jsonl", "no epochs");
    }

    [Fact]
    public void LabelsMustMatchTheLogs() =>
        AssertUserError(Run("plot", _concise, _scratch, "--out", Dir.File("chart.png"), "--label", "one"), "--label", "2 logs");

    [Fact]
    public void MissingFolderOfTheChartIsNamed() =>
        AssertUserError(Run("plot", _concise, "--out", Path.Combine(Dir.Path, "no", "chart.png")), "does not exist");

    [Fact]
    public void TinyChartIsRefused() =>
        AssertUserError(Run("plot", _concise, "--out", Dir.File("chart.png"), "--width", "10"), "at least 100 x 100");

    [Fact]
    public void HugeChartIsRefused() =>
        AssertUserError(Run("plot", _concise, "--out", Dir.File("chart.png"), "--width", "100000", "--height", "100000"), "at most 20000 x 20000");

    [Fact]
    public void OutIsRequiredAndSoIsALog()
    {
        AssertUserError(Run("plot", _concise), "--out");
        AssertUserError(Run("plot", "--out", Dir.File("chart.png")));
    }

    // The text elements of an SVG chart: titles, tick labels, legend entries.
    private static List<string> Texts(string svg) =>
        XDocument.Load(svg).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()).ToList();

    [Fact]
    public void RunsAreLabelledByFileNameAndTheAxisByRealPerplexities()
    {
        string svg = Dir.File("chart.svg");
        Assert.Equal(0, Run("plot", _concise, _scratch, "--out", svg).Code);
        var texts = Texts(svg);
        Assert.Contains("concise (training)", texts);
        Assert.Contains("scratch (training)", texts);
        Assert.Contains("scratch (validation)", texts);
        Assert.Contains("perplexity (log scale)", texts);
        Assert.Contains("epoch", texts);
        // log10 is what is plotted, the perplexity is what is read: 10 and 100 as labels, never 1 and 2 for them.
        Assert.Contains("10", texts);
        Assert.Contains("100", texts);
        Assert.All(texts, t => Assert.DoesNotContain("E+", t));
    }

    [Fact]
    public void DivergedRunsAreDrawnUntilTheyDivergeAndSaySo()
    {
        string diverged = Dir.File("lr1000.jsonl"), never = Dir.File("nan.jsonl");
        File.WriteAllLines(diverged, new[] { new EpochLogEntry(1, 900, null, 1, 1000), new(2, 5000, null, 1, 1000), new(3, double.PositiveInfinity, null, 1, 1000) }.Select(TrainingLog.Format));
        File.WriteAllLines(never, [TrainingLog.Format(new EpochLogEntry(1, double.NaN, null, 1, 1000))]);
        string svg = Dir.File("chart.svg");
        Assert.Equal(0, Run("plot", _concise, diverged, never, "--out", svg).Code);
        var texts = Texts(svg);
        Assert.Contains("lr1000 (diverged at epoch 3)", texts);
        Assert.Contains("nan (diverged at epoch 1)", texts);
    }

    [Fact]
    public void SameFileNamesInTwoFoldersAreLabelledByTheirPaths()
    {
        Directory.CreateDirectory(Dir.File("a"));
        Directory.CreateDirectory(Dir.File("b"));
        string first = Dir.File("a/log.jsonl"), second = Dir.File("b/log.jsonl");
        File.Copy(_concise, first);
        File.Copy(_scratch, second);
        string svg = Dir.File("chart.svg");
        Assert.Equal(0, Run("plot", first, second, "--out", svg).Code);
        var texts = Texts(svg);
        Assert.Contains($"{first} (training)", texts);
        Assert.Contains($"{second} (validation)", texts);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ALongLogIsDrawnWithAFewPointsPerPixelColumn()
    {
        // 160,000 epochs whose perplexities jump about, the case whose dashed validation line took the renderer
        // longer the longer it was: each curve is drawn through at most four points per pixel column.
        var rng = new Random(3);
        string log = Dir.File("long.jsonl", string.Concat(Enumerable.Range(1, 160_000).Select(epoch => TrainingLog.Format(
            new EpochLogEntry(epoch, 1 + 1000 * rng.NextDouble(), 1 + 1000 * rng.NextDouble(), 0.5, 100)) + "\n")));
        string svg = Dir.File("long.svg");
        Assert.Equal(0, Run("plot", log, "--out", svg, "--width", "800").Code);

        // The training curve is the path 2 pixels wide, each point after the first an L command; the dashed validation
        // curve comes as a filled outline of its dashes.
        var paths = XDocument.Load(svg).Descendants().Where(e => e.Name.LocalName == "path").ToList();
        int training = paths.Where(e => (string?)e.Attribute("stroke-width") == "2").Max(e => ((string?)e.Attribute("d") ?? "").Count(c => c == 'L'));
        Assert.InRange(training + 1, 1_000, 4 * 800);
        Assert.Contains(paths, e => (string?)e.Attribute("fill") == "#1F77B4" && ((string?)e.Attribute("d") ?? "").Count(c => c == 'M') > 1_000);
    }

    [Fact]
    public void ThinningKeepsEachColumnsEndsAndExtremes()
    {
        var rng = new Random(5);
        double[] xs = Enumerable.Range(1, 10_000).Select(i => (double)i).Where(_ => rng.Next(4) > 0).ToArray();
        double[] ys = xs.Select(_ => rng.NextDouble()).ToArray();
        const int columns = 300;
        var (thinX, thinY) = Charts.Thin(xs, ys, columns);

        Assert.True(thinX.Length <= 4 * columns);
        Assert.Equal((xs[0], ys[0]), (thinX[0], thinY[0]));
        Assert.Equal((xs[^1], ys[^1]), (thinX[^1], thinY[^1]));
        Assert.Equal(thinX.Order(), thinX);
        int Column(double x) => Math.Min(columns - 1, (int)((x - xs[0]) / (xs[^1] - xs[0]) * columns));
        var all = xs.Zip(ys).ToLookup(p => Column(p.First), p => p.Second);
        var kept = thinX.Zip(thinY).ToLookup(p => Column(p.First), p => p.Second);
        Assert.Equal(all.Select(g => g.Key), kept.Select(g => g.Key));
        foreach (var column in all)
            Assert.Equal((column.Min(), column.Max()), (kept[column.Key].Min(), kept[column.Key].Max()));

        // A curve with few points per column is drawn as it is.
        double[] few = [1, 2, 3];
        Assert.Same(few, Charts.Thin(few, [5, 4, 3], columns).Xs);
    }
}
