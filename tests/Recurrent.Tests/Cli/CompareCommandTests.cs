using Recurrent.Cli;
using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary><c>recurrent compare</c>: one run per value, each the run train would make, one chart and one table.</summary>
public class CompareCommandTests : SmallCorpusTests
{

    private string[] Compare(params string[] extra) => WithDefaults("compare", extra,
        "--corpus", Corpus, "--hidden", "8", "--batch-size", "2", "--steps", "4", "--lr", "1", "--clip", "1",
        "--pred-len", "5", "--prefix", "分开", "--threads", "1", "--epochs", "4", "--period", "2");

    [Fact]
    public void EachVariantIsTheRunTrainMakesAndTheTableHoldsTheirPerplexities()
    {
        string chart = Dir.File("cells.svg");
        var (code, output, err) = Run(Compare("--cell-output", "tanh,linear", "--out", chart));
        Assert.True(code == 0, err);
        Assert.Equal($"saved {chart}\n", err.Replace("\r", ""));

        string[] Alone(string value) => WithoutTimes(Run(Train(Corpus, "--epochs", "4", "--period", "2", "--cell-output", value)).Out);
        var lines = WithoutTimes(output);
        Assert.Equal(["[1/2] cell-output tanh", .. Alone("tanh"), "[2/2] cell-output linear", .. Alone("linear")], lines.TakeWhile(l => !l.StartsWith('|')));

        var table = lines.SkipWhile(l => !l.StartsWith('|')).ToArray();
        Assert.Equal(4, table.Length);
        Assert.Matches(@"^\| variant +\| epoch 2 \| final \(epoch 4\) \| sec/epoch \|$", table[0]);
        Assert.Matches(@"^\| -+ \| -+: \| -+: \| -+: \|$", table[1]);
        // The table's figures are the printed perplexities, rounded.
        string finalTanh = System.Text.RegularExpressions.Regex.Match(output, @"epoch 4, perplexity (\d+\.\d+)").Groups[1].Value;
        Assert.Contains($" {double.Parse(finalTanh, System.Globalization.CultureInfo.InvariantCulture):F2} |", table[2]);
        Assert.StartsWith("| cell-output tanh ", table[2]);
        Assert.StartsWith("| cell-output linear ", table[3]);

        var texts = File.ReadAllText(chart);
        Assert.Contains("cell-output tanh", texts);
        Assert.Contains("cell-output linear", texts);
    }

    [Fact]
    public void AVariantThatDivergesSaysWhatToChangeInFlags()
    {
        var (code, _, err) = Run(Compare("--weight-decay", "0,3", "--out", Dir.File("decay.svg"), "--quiet"));
        Assert.True(code == 0, err);
        Assert.Matches(@"^weight-decay 3: The loss became .+ in epoch \d+, an infinite perplexity: try a --weight-decay below 2, above which", err);
        Assert.DoesNotContain("weight_decay", err);
    }

    [Fact]
    public void SeveralListsGiveEveryCombinationAndQuietKeepsOnlyTheTable()
    {
        var (code, output, err) = Run(Compare("--hidden", "4,8", "--optimizer", "sgd,adam", "--out", Dir.File("grid.png"), "--quiet"));
        Assert.True(code == 0, err);
        Assert.Equal("", err);
        var rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, rows.Length);
        Assert.Equal(["hidden 4, optimizer sgd", "hidden 4, optimizer adam", "hidden 8, optimizer sgd", "hidden 8, optimizer adam"],
            rows.Skip(2).Select(r => r.Split('|')[1].Trim()));
    }

    [Theory]
    [InlineData(new[] { "--out", "x.png" }, "compare needs an option with several comma-separated values")]
    [InlineData(new[] { "--cell-output", "tanh,relu", "--out", "x.png" }, "cell-output relu: --cell-output must be one of tanh, linear, not 'relu'")]
    [InlineData(new[] { "--lr", "1,-1", "--out", "x.png" }, "--lr must be a positive number, not -1")]
    [InlineData(new[] { "--lr", "1,x", "--out", "x.png" }, "lr x: --lr takes a number, not 'x'")]
    [InlineData(new[] { "--lr", "1,,2", "--out", "x.png" }, "--lr 1,,2 has an empty value")]
    [InlineData(new[] { "--lr", "1,1", "--out", "x.png" }, "--lr 1,1 lists 1 twice")]
    [InlineData(new[] { "--lr", "1,2", "--out", "x.gif" }, "--out x.gif must end in .svg or .png")]
    [InlineData(new[] { "--lr", "1,2", "--out", "x.png", "--save", "a.safetensors" }, "compare does not take --save")]
    [InlineData(new[] { "--lr", "1,2", "--out", "x.png", "--log", "a.jsonl" }, "compare does not take --log")]
    public void MistakesAreRefusedBeforeAnythingTrains(string[] args, string fragment)
    {
        var result = Run(Compare(args));
        AssertUserError(result, fragment);
        Assert.False(File.Exists("x.png"));
    }

    [Fact]
    public void TheTableSaysWhereARunDivergedOrStopped()
    {
        static CompareCommand.VariantResult Result(string label, params double[] perplexities)
        {
            var r = new CompareCommand.VariantResult(label);
            for (int i = 0; i < perplexities.Length; i++) r.Epochs.Add(new EpochLogEntry(i + 1, perplexities[i], i == 1 ? 9.5 : null, 0.5, 1));
            return r;
        }
        var done = Result("lr 1", 100, 50, 20, 10);
        var diverged = Result("lr 100", 90, double.NaN);
        diverged.DivergedIn = 2;
        var stopped = Result("lr 10", 80, 40, 30);
        stopped.StoppedIn = 4;
        string table = CompareCommand.Table([done, diverged, stopped], period: 2);
        Assert.Equal(
            """
            | variant | epoch 2 |     final (epoch 4) | validation | sec/epoch |
            | ------- | ------: | ------------------: | ---------: | --------: |
            | lr 1    |   50.00 |               10.00 |       9.50 |      0.50 |
            | lr 100  |       - | diverged in epoch 2 |       9.50 |      0.50 |
            | lr 10   |   40.00 |  stopped in epoch 4 |       9.50 |      0.50 |

            """.Replace("\r", ""), table);
    }
}
