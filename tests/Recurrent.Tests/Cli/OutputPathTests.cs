using Recurrent.Tests.Checkpoints;

namespace Recurrent.Tests.Cli;

/// <summary>
/// Outputs never touch inputs or each other: a clash is refused in one sentence before anything is read or trained,
/// and the input is left as it was; an output folder that takes no new file is refused before training.
/// </summary>
public class OutputPathTests : FolderTests
{

    private string At(string name) => Path.Combine(Dir.Path, name);

    private string Corpus()
    {
        string path = At("c.txt");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat(CheckpointFixtures.Text + " ", 3)));
        return path;
    }

    private string[] Small(params string[] more) =>
        ["train", "--corpus", Corpus(), "--epochs", "2", "--hidden", "4", "--batch-size", "2", "--steps", "4", "--prefix", "分开", "--threads", "1", .. more];

    [Theory]
    [InlineData("--log", "c.txt", "--log", "--corpus")]
    [InlineData("--save", "c.txt", "--save", "--corpus")]
    [InlineData("--plot", "c.svg", null, null)]
    public void AnOutputThatIsTheCorpusIsRefusedAndTheCorpusKept(string flag, string name, string? first, string? second)
    {
        string corpus = Corpus();
        string before = File.ReadAllText(corpus);
        var result = CliHarness.Run(Small(flag, At(name)));
        if (first is null)
        {
            Assert.True(result.Code == 0, result.Err);   // a different file: no clash
            return;
        }
        CliHarness.AssertUserError(result, $"{first} {At(name)} is the file {second} reads");
        Assert.Equal(before, File.ReadAllText(corpus));
    }

    [Fact]
    public void ALinkToTheCorpusIsTheCorpus()
    {
        string corpus = Corpus();
        File.CreateSymbolicLink(At("link.txt"), corpus);
        CliHarness.AssertUserError(CliHarness.Run(Small("--log", At("link.txt"))), "is the file --corpus reads");
        Assert.Equal(3 * (CheckpointFixtures.Text.Length + 1), File.ReadAllText(corpus).Length);
    }

    [Fact]
    public void TwoOutputsOnOneFileAreRefused()
    {
        var result = CliHarness.Run(Small("--val-fraction", "0.2", "--save", At("x.safetensors"), "--save-best", Path.Combine(Dir.Path, ".", "x.safetensors")));
        CliHarness.AssertUserError(result, "--save and --save-best name the same file");
        Assert.False(File.Exists(At("x.safetensors")));
    }

    [Fact]
    public void TheCheckpointARunStartsFromIsNotAnOutput()
    {
        string checkpoint = At("start.safetensors");
        Assert.Equal(0, CliHarness.Run(Small("--save", checkpoint)).Code);
        byte[] saved = File.ReadAllBytes(checkpoint);
        CliHarness.AssertUserError(CliHarness.Run(Small("--init-from", checkpoint, "--log", checkpoint)), "is the file --init-from reads");
        CliHarness.AssertUserError(CliHarness.Run("train", "--resume", checkpoint, "--epochs", "3", "--log", checkpoint), "is the file --resume reads");
        Assert.Equal(saved, File.ReadAllBytes(checkpoint));
        // Saving a resumed run into its own checkpoint is what --resume does.
        Assert.Equal(0, CliHarness.Run("train", "--resume", checkpoint, "--epochs", "3", "--threads", "1").Code);
    }

    [Fact]
    public void CompareRefusesAChartOverItsCorpus()
    {
        string corpus = Corpus();
        File.Move(corpus, At("c.svg"));
        var result = CliHarness.Run("compare", "--corpus", At("c.svg"), "--lr", "1,2", "--out", At("c.svg"), "--epochs", "1");
        CliHarness.AssertUserError(result, "--out", "is the file --corpus reads");
    }

    [Fact]
    public void ExportAndImportRefuseAnOutputOverTheirInput()
    {
        string checkpoint = Dir.File("m.safetensors");
        Assert.Equal(0, CliHarness.Run(Small("--save", checkpoint)).Code);
        byte[] saved = File.ReadAllBytes(checkpoint);
        CliHarness.AssertUserError(CliHarness.Run("export", "--checkpoint", checkpoint, "--out", checkpoint), "--out", "is the file --checkpoint reads");
        string vocabulary = Dir.File("vocab.txt", "a\nb\n");
        CliHarness.AssertUserError(CliHarness.Run("import", "--weights", checkpoint, "--vocabulary", vocabulary, "--out", vocabulary), "is the file --vocabulary reads");
        Assert.Equal(saved, File.ReadAllBytes(checkpoint));
    }
}
