using System.Text.RegularExpressions;
using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary>
/// <c>recurrent train</c> away from a terminal, in process: standard output is exactly the book's lines, --quiet
/// prints nothing, --log writes an entry per epoch (continued by a resumed run), --plot draws the chart.
/// </summary>
public class TrainOutputTests : SmallCorpusTests
{

    [Fact]
    public void RedirectedOutputIsExactlyTheBooksLines()
    {
        var (code, output, err) = Run(Train(Corpus, "--epochs", "4", "--period", "2", "--prefix", "分开", "--prefix", "不分开"));
        Assert.True(code == 0, err);
        Assert.Equal("", err);
        string[] lines = output.Split('\n');
        Assert.Equal(7, lines.Length);   // two epochs of three lines, and the final line break
        Assert.Matches(@"^epoch 2, perplexity \d+\.\d{6}, time \d+\.\d{2} sec$", lines[0]);
        Assert.Matches(@"^ - 分开.{5}$", lines[1]);
        Assert.Matches(@"^ - 不分开.{5}$", lines[2]);
        Assert.Matches(@"^epoch 4, perplexity \d+\.\d{6}, time \d+\.\d{2} sec$", lines[3]);
        Assert.Equal("", lines[6]);
        Assert.DoesNotContain('\u001b', output);
    }

    [Fact]
    public void QuietPrintsNothingButStillWritesTheLog()
    {
        string log = Dir.File("run.jsonl");
        var (code, output, err) = Run(Train(Corpus, "--epochs", "2", "--period", "1", "--quiet", "--log", log));
        Assert.Equal(0, code);
        Assert.Equal("", output);
        Assert.Equal("", err);
        Assert.Equal([1, 2], TrainingLog.Read(log).Select(e => e.Epoch));
    }

    [Fact]
    public void TheLogHoldsEveryEpochWithItsLearningRateAndValidationPerplexity()
    {
        string log = Dir.File("run.jsonl");
        var (code, output, err) = Run(Train(Corpus, "--epochs", "4", "--period", "2", "--val-fraction", "0.3",
            "--lr-decay", "0.5", "--lr-decay-after", "2", "--log", log));
        Assert.True(code == 0, err);
        var entries = TrainingLog.Read(log);
        Assert.Equal([1, 2, 3, 4], entries.Select(e => e.Epoch));
        Assert.Equal([1, 1, 0.5, 0.25], entries.Select(e => e.LearningRate));
        // Validation is measured at the report period, as the printed lines show it.
        Assert.Equal([false, true, false, true], entries.Select(e => e.ValidationPerplexity is not null));
        var printed = Regex.Matches(output, @"^epoch (\d+), perplexity (\d+\.\d+), validation perplexity (\d+\.\d+)", RegexOptions.Multiline);
        Assert.Equal(2, printed.Count);
        foreach (Match m in printed)
        {
            var entry = entries[int.Parse(m.Groups[1].Value) - 1];
            Assert.Equal(m.Groups[2].Value, entry.Perplexity.ToString("F6", System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(m.Groups[3].Value, entry.ValidationPerplexity!.Value.ToString("F6", System.Globalization.CultureInfo.InvariantCulture));
        }
        Assert.All(entries, e => Assert.True(e.Seconds > 0));
    }

    [Fact]
    public void AResumedRunContinuesItsLogAndItsChartShowsTheWholeRun()
    {
        string log = Dir.File("run.jsonl"), checkpoint = Dir.File("run.safetensors"), chart = Dir.File("run.svg");
        var full = Run(Train(Corpus, "--epochs", "4", "--period", "1", "--log", Dir.File("full.jsonl")));
        Assert.Equal(0, full.Code);

        Assert.Equal(0, Run(Train(Corpus, "--epochs", "2", "--period", "1", "--save", checkpoint, "--log", log)).Code);
        var resumed = Run(["train", "--resume", checkpoint, "--epochs", "4", "--log", log, "--plot", chart, "--threads", "1"]);
        Assert.True(resumed.Code == 0, resumed.Err);

        var expected = TrainingLog.Read(Dir.File("full.jsonl"));
        var actual = TrainingLog.Read(log);
        Assert.Equal(expected.Select(e => (e.Epoch, e.Perplexity)), actual.Select(e => (e.Epoch, e.Perplexity)));
        Assert.Contains($"saved {chart}", resumed.Err);
        string svg = File.ReadAllText(chart);
        Assert.Contains("<svg", svg);
        Assert.Contains("corpus.txt, LSTM (concise), 8 hidden", svg);
    }

    [Fact]
    public void PlotWritesAPngAtTheEnd()
    {
        string chart = Dir.File("run.png");
        var (code, _, err) = Run(Train(Corpus, "--epochs", "3", "--period", "3", "--plot", chart));
        Assert.True(code == 0, err);
        Assert.Equal($"saved {chart}\n", err.Replace("\r", ""));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(chart)[..4]);
    }

    [Theory]
    [InlineData("--plot", "chart.jpg", "--plot {0} must end in .svg or .png")]
    [InlineData("--plot", "no-such-dir/chart.png", "no-such-dir of --plot does not exist")]
    [InlineData("--log", "no-such-dir/run.jsonl", "no-such-dir of --log does not exist")]
    [InlineData("--log", "", "--log needs a path")]
    [InlineData("--save", ".", "--save {0} is a folder")]
    public void OutputsThatCannotBeWrittenAreRefusedBeforeTraining(string option, string name, string fragment)
    {
        string path = name is "" or "." ? (name == "." ? Dir.Path : "") : Dir.File(name);
        var result = Run(Train(Corpus, "--epochs", "1", "--period", "1", option, path));
        AssertUserError(result, string.Format(fragment, path));
    }

    [Fact]
    public void ALogGivenToANewRunReplacesTheOldOne()
    {
        string log = Dir.File("run.jsonl");
        File.WriteAllText(log, "{\"epoch\":1,\"perplexity\":5,\"seconds\":1,\"learning_rate\":1}\n{\"epoch\":2,\"perplexity\":4,\"seconds\":1,\"learning_rate\":1}\n" +
            "{\"epoch\":3,\"perplexity\":3,\"seconds\":1,\"learning_rate\":1}\n");
        Assert.Equal(0, Run(Train(Corpus, "--epochs", "1", "--log", log)).Code);
        Assert.Single(TrainingLog.Read(log));
    }
}
