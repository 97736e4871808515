using Recurrent.Tests.Checkpoints;
using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary><c>train --patience N</c> as a user runs it: it stops early, saves, says so, and a resumed run keeps the count.</summary>
public class PatienceCliTests : FolderTests
{

    private string Corpus() => Dir.File("corpus.txt", string.Concat(Enumerable.Repeat(CheckpointFixtures.Text + " ", 3)));

    private string[] Train(string checkpoint, params string[] more) =>
        ["train", "--corpus", Corpus(), "--val-fraction", "0.2", "--period", "1", "--epochs", "300", "--hidden", "8", "--batch-size", "2",
         "--steps", "4", "--lr", "2", "--clip", "1", "--prefix", "分开", "--pred-len", "4", "--threads", "1", "--save", checkpoint, .. more];

    [Fact]
    public void ARunStopsEarlySavesAndAResumedOneKeepsTheCount()
    {
        string checkpoint = Dir.File("run.safetensors");
        var (code, output, err) = Run(Train(checkpoint, "--patience", "2"));
        Assert.True(code == 0, err);
        var saved = Checkpoint.Load(checkpoint).Training!;
        Assert.InRange(saved.Epoch, 3, 299);
        Assert.Equal(2, saved.Stopping.ReportsSinceBest);
        Assert.StartsWith($"epoch {saved.Epoch}, ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith("epoch ")));
        Assert.Contains($"stopped early after epoch {saved.Epoch}: the validation perplexity has not improved on {saved.Stopping.Best:F6} for 2 reports (--patience 2)", err);

        // Resumed with the same patience, the run has nothing left to do.
        (code, output, err) = Run("train", "--resume", checkpoint, "--threads", "1");
        Assert.True(code == 0, err);
        Assert.DoesNotContain("epoch ", output);
        Assert.Contains($"stopped early after epoch {saved.Epoch}", err);

        // A larger patience continues from the count the checkpoint kept: one more report without improvement is not enough.
        (code, output, err) = Run("train", "--resume", checkpoint, "--patience", "4", "--threads", "1");
        Assert.True(code == 0, err);
        Assert.StartsWith($"epoch {saved.Epoch + 1}, ", output);
        var resumed = Checkpoint.Load(checkpoint).Training!;
        Assert.True(resumed.Epoch >= saved.Epoch + 2);
        Assert.True(resumed.Stopping.Stops(4) || resumed.Epoch == 300);
    }

    [Fact]
    public void PatienceWithoutAValidationTextIsRefused()
    {
        var result = Run("train", "--corpus", Corpus(), "--patience", "2");
        AssertUserError(result, "--patience needs a validation text: give --val-fraction or --valid");
    }
}
