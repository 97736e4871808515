using System.Text;
using static Recurrent.Tests.Cli.CliHarness;
using static Recurrent.Tests.Checkpoints.CheckpointFixtures;

namespace Recurrent.Tests.Cli;

/// <summary><c>recurrent generate</c>, in process: what it prints for each way of giving a prefix, and its user errors.</summary>
public class GenerateCliTests : FolderTests
{
    private readonly LanguageModel _model = Trained(ModelKind.Concise);
    private readonly string _path;

    public GenerateCliTests()
    {
        _path = Dir.File("model.safetensors");
        new Checkpoint(_model, Vocab).Save(_path);
    }

    private string[] Generate(params string[] extra) => ["generate", "--checkpoint", _path, "--threads", "1", .. extra];

    private string Greedy(LanguageModel model, string prefix, int length) => Vocab.Decode(model.PredictGreedy(Vocab.Encode(prefix), length));

    [Fact]
    public void GreedyPrintsEachPrefixAndTheBooksPrediction()
    {
        var result = Run(Generate("--prefix", "分开", "--prefix", "不分开", "--length", "12", "--temperature", "0"));
        Assert.Equal(0, result.Code);
        Assert.Equal($"{Greedy(_model, "分开", 12)}\n{Greedy(_model, "不分开", 12)}\n", result.Out.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void TheScratchModelLoadsAndGeneratesToo()
    {
        var scratch = Trained(ModelKind.Scratch, epochs: 20);
        string path = Dir.File("scratch.safetensors");
        new Checkpoint(scratch, Vocab).Save(path);
        var result = Run(["generate", "--checkpoint", path, "--prefix", "我想", "--length", "10", "--temperature", "0"]);
        Assert.Equal(0, result.Code);
        Assert.Equal(Greedy(scratch, "我想", 10), result.Out.TrimEnd('\r', '\n'));
    }

    [Fact]
    public void SamplingWithASeedIsReproducible()
    {
        string Sample(string seed) => Run(Generate("--prefix", "分开", "--length", "60", "--temperature", "1.5", "--seed", seed)).Out;
        Assert.Equal(Sample("4"), Sample("4"));
        Assert.NotEqual(Sample("4"), Sample("5"));
        string filtered = Run(Generate("--prefix", "分开", "--length", "60", "--top-k", "2", "--top-p", "0.9")).Out;
        Assert.StartsWith("分开", filtered);
        Assert.Equal(2 + 60, filtered.TrimEnd('\r', '\n').EnumerateRunes().Count());
    }

    [Fact]
    public void BeamSearchOfOneIsGreedy()
    {
        var result = Run(Generate("--prefix", "分开", "--length", "15", "--beam", "1"));
        Assert.Equal(Greedy(_model, "分开", 15), result.Out.TrimEnd('\r', '\n'));
        Assert.Equal(0, Run(Generate("--prefix", "分开", "--length", "15", "--beam", "4")).Code);
    }

    /// <summary>Records what was written at each flush.</summary>
    private sealed class FlushLog : StringWriter
    {
        public List<string> Flushed { get; } = [];

        public override void Flush()
        {
            Flushed.Add(ToString());
            base.Flush();
        }
    }

    [Fact]
    public void TextStreamsOneCharacterAtATime()
    {
        var log = new FlushLog();
        Run(Generate("--prefix", "分开", "--length", "8", "--temperature", "0"), stdout: log);
        string expected = Greedy(_model, "分开", 8);
        for (int n = 3; n <= expected.Length; n++)
            Assert.Contains(expected[..n], log.Flushed);   // every prefix of the output was flushed on its own
    }

    [Fact]
    public void APrefixFilePrimesAndOnlyTheContinuationIsPrinted()
    {
        string file = Dir.File("prefix.txt");
        File.WriteAllBytes(file, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("我想要 你的\n微笑 分开\r\n")]);
        var result = Run(Generate("--prefix-file", file, "--length", "10", "--temperature", "0"));
        Assert.Equal(0, result.Code);
        // The line break inside becomes a space (the vocabulary has none); the final one is dropped.
        Assert.Equal(Greedy(_model, "我想要 你的 微笑 分开", 10)["我想要 你的 微笑 分开".Length..], result.Out.TrimEnd('\n', '\r'));
    }

    [Fact]
    public void InteractiveModeContinuesEachLineAndSurvivesUnknownCharacters()
    {
        var result = Run(Generate("--interactive", "--length", "6", "--temperature", "0"), stdin: "分开\n\n龘分\n不分开\n");
        Assert.Equal(0, result.Code);
        string[] lines = result.Out.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([Greedy(_model, "分开", 6)[2..], Greedy(_model, "不分开", 6)[3..]], lines);
        Assert.Contains("error: The line has characters not in the vocabulary: '龘'.", result.Err);
    }

    [Fact]
    public void AnInteractiveLineOverTheLimitIsSkippedAndTheSessionGoesOn()
    {
        string tooLong = string.Concat(Enumerable.Repeat("分开", Recurrent.Cli.GenerateCommand.MaxPrefix / 2)) + "分";
        var result = Run(Generate("--interactive", "--length", "6", "--temperature", "0"), stdin: $"{tooLong}\n不分开\n");
        Assert.Equal(0, result.Code);
        Assert.Equal(Greedy(_model, "不分开", 6)[3..], result.Out.ReplaceLineEndings("\n").TrimEnd('\n'));
        Assert.Contains("error: the line has more than 1,048,576 characters, the most a prefix may have; it is skipped.\n", result.Err.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void APrefixFileHoldsAtMostOneMebibyte()
    {
        string large = Dir.File("large.txt", string.Concat(Enumerable.Repeat("分开 ", Recurrent.Cli.GenerateCommand.MaxPrefix / 7 + 1)));   // 7 bytes each
        Assert.True(new FileInfo(large).Length > Recurrent.Cli.GenerateCommand.MaxPrefix);
        AssertUserError(Run(Generate("--prefix-file", large)),
            $"The prefix file {large} holds more than 1,048,576 bytes (1 MiB), the most a prefix may have: give a shorter text.");
        AssertUserError(Run(Generate("--prefix-file", "/dev/null")), "The prefix file /dev/null is a device, not a file.");
    }

    [Theory]
    [InlineData("--top-p", "0", "--top-p must be above 0")]
    [InlineData("--top-p", "1.5", "--top-p must be above 0 and at most 1, not 1.5")]
    [InlineData("--top-k", "-1", "--top-k")]
    [InlineData("--temperature", "-1", "--temperature must be 0")]
    [InlineData("--length", "-3", "--length")]
    [InlineData("--beam", "-1", "--beam")]
    [InlineData("--threads", "0", "--threads")]
    [InlineData("--top-k", "many", "--top-k")]
    public void BadOptionValuesNameTheOption(string option, string value, string fragment) =>
        AssertUserError(Run(Generate("--prefix", "分开", option, value)), fragment);

    [Fact]
    public void ContradictionsAndMissingInputsAreOneSentence()
    {
        AssertUserError(Run(Generate("--prefix", "分开", "--beam", "3", "--temperature", "0.5")), "--beam searches for the most likely continuation");
        AssertUserError(Run(Generate("--prefix", "分开", "--beam", "3", "--top-k", "5")), "--beam does not sample");
        AssertUserError(Run(Generate("--prefix", "分开", "--temperature", "0", "--top-p", "0.5")), "--temperature 0 does not sample");
        AssertUserError(Run(Generate()), "--prefix, --prefix-file or --interactive");
        AssertUserError(Run(Generate("--prefix", "")), "--prefix cannot be empty");
        AssertUserError(Run(["generate", "--prefix", "分开"]), "--checkpoint");
        AssertUserError(Run(Generate("--prefix", "分开", "--prefix", "分龘开靐")), "The prefix '分龘开靐' has characters not in the vocabulary: '龘', '靐'.");
        AssertUserError(Run(Generate("--prefix-file", Dir.File("none.txt"))), "The prefix file");
        string bad = Dir.File("bad.txt");
        File.WriteAllBytes(bad, [0xE5, 0x88]);
        AssertUserError(Run(Generate("--prefix-file", bad)), "is not valid UTF-8");
        string empty = Dir.File("empty.txt");
        File.WriteAllText(empty, "\n");
        AssertUserError(Run(Generate("--prefix-file", empty)), "has no text");
    }

    [Fact]
    public void MissingOrCorruptCheckpointsAreOneSentence()
    {
        AssertUserError(Run(["generate", "--checkpoint", Dir.File("none.safetensors"), "--prefix", "分开"]), "does not exist");
        var bytes = File.ReadAllBytes(_path);
        var rng = new Random(5);
        string corrupt = Dir.File("corrupt.safetensors");
        foreach (int length in (int[])[0, 7, 8, 100, bytes.Length / 2, bytes.Length - 1])
        {
            File.WriteAllBytes(corrupt, bytes[..length]);
            AssertUserError(Run(["generate", "--checkpoint", corrupt, "--prefix", "分开"]), "is not a valid checkpoint");
        }
        var noise = new byte[600];
        rng.NextBytes(noise);
        File.WriteAllBytes(corrupt, noise);
        AssertUserError(Run(["generate", "--checkpoint", corrupt, "--prefix", "分开"]), "is not a valid checkpoint");
    }
}
