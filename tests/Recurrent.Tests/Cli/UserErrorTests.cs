using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary>
/// Inputs that once escaped as internal errors, or as messages that point the wrong way: each is one sentence on
/// stderr with exit code 2, and none leaves a file behind.
/// </summary>
public class UserErrorTests : SmallCorpusTests
{

    [Fact]
    public void AModelTooLargeForMemoryIsRefusedBeforeItIsBuilt() =>
        AssertUserError(Run(Train(Corpus, "--hidden", "1000000")), "parameters needs", "GB", "lower --hidden");

    [Theory]
    [InlineData("--save")]
    [InlineData("--log")]
    [InlineData("--save-best")]
    public void ADeviceIsNotAFileToWrite(string option)
    {
        // Saving renames a new file over the old one: on /dev/null that would replace the device for a user allowed to.
        var result = Run(Train(Corpus, "--val-fraction", "0.3", option, "/dev/null"));
        AssertUserError(result, $"{option} /dev/null is a device or system file");
        Assert.True(File.Exists("/dev/null"));
    }

    [Fact]
    public void FoldersGivenForFilesAreCalledFolders()
    {
        AssertUserError(Run("generate", "--checkpoint", Dir.Path, "--prefix", "分开"), $"Checkpoint {Dir.Path} is a folder, not a file");
        AssertUserError(Run(Train(Corpus, "--resume", Dir.Path)), $"--resume {Dir.Path} is a folder");
        AssertUserError(Run("plot", Dir.Path, "--out", Dir.File("x.png")), $"The training log {Dir.Path} is a folder, not a file");
        AssertUserError(Run(Train(Corpus, "--log", Dir.Path)), $"--log {Dir.Path} is a folder");

        string checkpoint = Dir.File("run.safetensors");
        Assert.Equal(0, Run(Train(Corpus, "--epochs", "1", "--save", checkpoint)).Code);
        AssertUserError(Run("generate", "--checkpoint", checkpoint, "--prefix-file", Dir.Path), $"The prefix file {Dir.Path} is a folder, not a file");
    }

    [Theory]
    [InlineData("--seed", "-1", "--seed takes a whole number, 0 or more, not '-1'")]
    [InlineData("--epochs", "99999999999", "--epochs takes a whole number, not '99999999999'")]
    [InlineData("--lr", "fast", "--lr takes a number, not 'fast'")]
    public void MistypedNumbersAreNamedWithoutDotNetTypes(string option, string value, string message)
    {
        var result = Run("train", option, value);
        AssertUserError(result, message, "Run 'recurrent --help' for the options.");
        Assert.DoesNotContain("System.", result.Err);
    }

    [Fact]
    public void AnUnknownCommandIsNamed() =>
        AssertUserError(Run("trian"), "Unrecognized command or argument 'trian'");

    [Fact]
    public void AnInfinitePerplexityStopsTheRun()
    {
        // A learning rate this large keeps the loss finite (huge logits) while the perplexity overflows.
        var result = Run(Train(Corpus, "--lr", "1e5", "--clip", "10", "--epochs", "3"));
        Assert.Equal(Recurrent.Cli.CliApp.UserError, result.Code);
        Assert.Matches(@"error: The loss became [^ ]+ in epoch 1(, an infinite perplexity)?: try a smaller --lr or --clip", result.Err);
    }

    [Fact]
    public void FileNamesWithEscapeSequencesAreShownNotObeyed()
    {
        // A name that would turn the terminal red, or clear it, is echoed with its control characters spelled out.
        string missing = Dir.File("x\u001b[31mred\u001b[0m.safetensors");
        var error = Run("generate", "--checkpoint", missing, "--prefix", "分开");
        AssertUserError(error, "x\\e[31mred\\e[0m.safetensors does not exist");
        Assert.DoesNotContain('\u001b', error.Err);

        string saved = Dir.File("run\u001b[2J\t.safetensors");
        var trained = Run(Train(Corpus, "--epochs", "1", "--save", saved));
        Assert.Equal(0, trained.Code);
        Assert.True(File.Exists(saved));
        Assert.Contains("saved " + Dir.File("run\\e[2J\\t.safetensors") + " after epoch 1", trained.Err);
        Assert.DoesNotContain('\u001b', trained.Err);

        var line = Run(["generate", "--checkpoint", saved, "--interactive", "--length", "2"], stdin: "\u001b[5m\n");
        Assert.Contains("error: The line has characters not in the vocabulary: U+001B", line.Err);
        Assert.DoesNotContain('\u001b', line.Err);
    }
}
