using System.Text;

namespace Recurrent.Tests.Training;

/// <summary>The training log: its line format, the writer's append-and-flush, resuming, and the reader's checks.</summary>
public class TrainingLogTests : FolderTests
{

    private static readonly EpochLogEntry[] Run =
    [
        new(1, 980.123456789012, null, 0.55, 100),
        new(2, 219.481672, 250.5, 0.5612345, 100),
        new(3, double.PositiveInfinity, double.NaN, 0.6, 50),
        new(4, 3.63035, 4.1, 0, 0.001),
    ];

    private string Write(string name, params EpochLogEntry[] entries)
    {
        string path = Dir.File(name);
        using var writer = new TrainingLogWriter(path);
        foreach (var entry in entries) writer.Append(entry);
        return path;
    }

    private static void AssertRejected(string path, params string[] fragments)
    {
        var e = Assert.Throws<RecurrentException>(() => TrainingLog.Read(path));
        Assert.DoesNotContain('\n', e.Message);
        Assert.EndsWith(".", e.Message);
        foreach (string fragment in fragments) Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void LineHasTheFieldsInOrderAndNullForNoValidation() =>
        Assert.Equal("""{"epoch":1,"perplexity":980.5,"validation_perplexity":null,"seconds":0.55,"learning_rate":100}""",
            TrainingLog.Format(new EpochLogEntry(1, 980.5, null, 0.55, 100)));

    [Fact]
    public void NonFiniteValuesAreStrings() =>
        Assert.Equal("""{"epoch":7,"perplexity":"Infinity","validation_perplexity":"NaN","seconds":1,"learning_rate":0.5}""",
            TrainingLog.Format(new EpochLogEntry(7, double.PositiveInfinity, double.NaN, 1, 0.5)));

    [Fact]
    public void RoundTripKeepsEveryValueExactly()
    {
        string path = Write("run.jsonl", Run);
        Assert.Equal(Run, TrainingLog.Read(path));
        string[] lines = File.ReadAllLines(path);
        Assert.Equal(Run.Length, lines.Length);
        Assert.All(lines, line => Assert.StartsWith("{\"epoch\":", line));
    }

    [Fact]
    public void EachLineIsOnDiskBeforeTheWriterCloses()
    {
        string path = Dir.File("live.jsonl");
        using var writer = new TrainingLogWriter(path);
        writer.Append(Run[0]);
        writer.Append(Run[1]);
        // What a crashed run would leave: the file as it is now, read while the writer holds it open.
        Assert.Equal(Run[..2], TrainingLog.Read(path));
    }

    [Fact]
    public void NewRunReplacesAnOldLog()
    {
        string path = Write("run.jsonl", Run);
        Write("run.jsonl", Run[0]);
        Assert.Equal([Run[0]], TrainingLog.Read(path));
    }

    [Fact]
    public void ResumedRunKeepsEarlierEpochsAndReplacesTheOnesItRepeats()
    {
        string path = Write("run.jsonl", Run);
        var repeated = new EpochLogEntry(3, 40.5, null, 0.7, 100);
        using (var writer = new TrainingLogWriter(path, firstEpoch: 3)) writer.Append(repeated);
        Assert.Equal([Run[0], Run[1], repeated], TrainingLog.Read(path));
    }

    [Fact]
    public void ResumedRunAddsALineBreakAfterAHandWrittenLastLine()
    {
        string path = Dir.File("run.jsonl", TrainingLog.Format(Run[0]));   // no final line break
        using (var writer = new TrainingLogWriter(path, firstEpoch: 2)) writer.Append(Run[1]);
        Assert.Equal(Run[..2], TrainingLog.Read(path));
    }

    [Fact]
    public void ResumedRunWithoutALogStartsOne()
    {
        string path = Dir.File("new.jsonl");
        using (var writer = new TrainingLogWriter(path, firstEpoch: 5)) writer.Append(Run[3] with { Epoch = 5 });
        Assert.Equal([Run[3] with { Epoch = 5 }], TrainingLog.Read(path));
    }

    [Fact]
    public void ResumingOverABadLogIsAUserError()
    {
        string path = Dir.File("bad.jsonl", "not json\n");
        var e = Assert.Throws<RecurrentException>(() => new TrainingLogWriter(path, firstEpoch: 2));
        Assert.Contains("Line 1 of", e.Message);
    }

    [Fact]
    public void WriterNeedsAnExistingFolder()
    {
        var e = Assert.Throws<RecurrentException>(() => new TrainingLogWriter(Path.Combine(Dir.Path, "nope", "run.jsonl")));
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void WriterRefusesEpochsOutOfOrderAndValuesTheReaderWouldReject()
    {
        using var writer = new TrainingLogWriter(Dir.File("run.jsonl"));
        writer.Append(Run[1]);
        Assert.Throws<ArgumentException>(() => writer.Append(Run[0]));
        Assert.Throws<ArgumentException>(() => writer.Append(Run[1]));
        Assert.Throws<ArgumentException>(() => TrainingLog.Format(Run[0] with { Seconds = -1 }));
        Assert.Throws<ArgumentException>(() => TrainingLog.Format(Run[0] with { Perplexity = 0 }));
        Assert.Throws<ArgumentException>(() => TrainingLog.Format(Run[0] with { LearningRate = double.NaN }));
        Assert.Throws<ArgumentException>(() => TrainingLog.Format(Run[0] with { Epoch = 0 }));
    }

    [Fact]
    public void ReaderSkipsBlankLinesIgnoresUnknownKeysAndAcceptsAMissingValidation()
    {
        string path = Dir.File("run.jsonl",
            "\uFEFF{\"epoch\":1,\"perplexity\":10,\"seconds\":1,\"learning_rate\":1,\"grad_norm\":0.3}\r\n\r\n" +
            "   \n{\"learning_rate\":1,\"seconds\":2,\"perplexity\":5,\"epoch\":3}");
        Assert.Equal([new EpochLogEntry(1, 10, null, 1, 1), new EpochLogEntry(3, 5, null, 2, 1)], TrainingLog.Read(path));
    }

    [Fact]
    public void EmptyLogHasNoEntries() => Assert.Empty(TrainingLog.Read(Dir.File("empty.jsonl", "")));

    [Fact]
    public void BadJsonNamesTheFileAndTheLine()
    {
        string path = Dir.File("bad.jsonl", TrainingLog.Format(Run[0]) + "\n\n{\"epoch\":2,\n");
        AssertRejected(path, "Line 3 of", path, "not valid JSON");
    }

    [Theory]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("""{"perplexity":1,"seconds":1,"learning_rate":1}""", "has no \"epoch\"")]
    [InlineData("""{"epoch":1,"seconds":1,"learning_rate":1}""", "has no \"perplexity\"")]
    [InlineData("""{"epoch":1,"perplexity":2,"learning_rate":1}""", "has no \"seconds\"")]
    [InlineData("""{"epoch":1,"perplexity":2,"seconds":1}""", "has no \"learning_rate\"")]
    [InlineData("""{"epoch":"one","perplexity":2,"seconds":1,"learning_rate":1}""", "\"epoch\" must be a whole number")]
    [InlineData("""{"epoch":1.5,"perplexity":2,"seconds":1,"learning_rate":1}""", "\"epoch\" must be a whole number")]
    [InlineData("""{"epoch":0,"perplexity":2,"seconds":1,"learning_rate":1}""", "\"epoch\" must be a whole number")]
    [InlineData("""{"epoch":1,"perplexity":-2,"seconds":1,"learning_rate":1}""", "\"perplexity\" must be a positive number")]
    [InlineData("""{"epoch":1,"perplexity":"high","seconds":1,"learning_rate":1}""", "\"perplexity\" must be a positive number")]
    [InlineData("""{"epoch":1,"perplexity":2,"validation_perplexity":0,"seconds":1,"learning_rate":1}""", "\"validation_perplexity\" must be")]
    [InlineData("""{"epoch":1,"perplexity":2,"seconds":-1,"learning_rate":1}""", "\"seconds\" must be a number of at least 0")]
    [InlineData("""{"epoch":1,"perplexity":2,"seconds":1,"learning_rate":null}""", "\"learning_rate\" must be a number")]
    public void InvalidEntryNamesTheLineAndTheField(string line, string fragment)
    {
        string path = Dir.File("bad.jsonl", TrainingLog.Format(Run[0]) + "\n" + line + "\n");
        AssertRejected(path, "Line 2 of", path, fragment);
    }

    [Fact]
    public void EpochsMustIncrease()
    {
        string path = Dir.File("two-runs.jsonl", string.Join("\n", new[] { Run[0], Run[1], Run[0] }.Select(TrainingLog.Format)));
        AssertRejected(path, "Line 3 of", "epoch 1 after epoch 2", "one run");
    }

    [Fact]
    public void MissingLogIsAUserError() =>
        AssertRejected(Path.Combine(Dir.Path, "nope.jsonl"), "nope.jsonl", "does not exist");

    [Fact]
    public void HugeValuesAreCutInTheMessage()
    {
        string path = Dir.File("bad.jsonl", $$"""{"epoch":"{{new string('x', 500)}}","perplexity":2,"seconds":1,"learning_rate":1}""");
        var e = Assert.Throws<RecurrentException>(() => TrainingLog.Read(path));
        Assert.True(e.Message.Length < 250, e.Message);
    }

    [Fact]
    public void WrittenFileIsUtf8WithoutByteOrderMark()
    {
        byte[] bytes = File.ReadAllBytes(Write("run.jsonl", Run[0]));
        Assert.Equal((byte)'{', bytes[0]);
        Assert.Equal((byte)'\n', bytes[^1]);
        Assert.Equal(TrainingLog.Format(Run[0]) + "\n", Encoding.UTF8.GetString(bytes));
    }
}
