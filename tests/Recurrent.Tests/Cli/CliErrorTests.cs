using System.Text;
using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary>Every user error of <c>recurrent train</c>: one sentence on stderr, exit code 2, nothing on stdout that looks like success.</summary>
public class CliErrorTests : FolderTests
{

    [Fact]
    public void MissingCorpus() => AssertUserError(Run("train", "--corpus", Dir.File("nope.txt")), "nope.txt");

    [Fact]
    public void EmptyCorpus() => AssertUserError(Run("train", "--corpus", Dir.File("empty.txt", [])), "empty");

    [Fact]
    public void InvalidUtf8NamesTheByteOffset()
    {
        var bytes = Encoding.UTF8.GetBytes("abc分开").Concat(new byte[] { 0xC3, 0x28 }).ToArray();
        AssertUserError(Run("train", "--corpus", Dir.File("bad.txt", bytes)), "byte offset 9");
    }

    [Fact]
    public void CorpusShorterThanOneMinibatchSaysWhichOptionsToLower()
    {
        var result = Run("train", "--corpus", Dir.File("short.txt", "分开不分开"));
        AssertUserError(result, "--batch-size");
        Assert.Contains("--steps", result.Err);
    }

    [Fact]
    public void UnknownPrefixCharacterIsNamed()
    {
        var path = Dir.File("small.txt", string.Concat(Enumerable.Repeat("分开不分开 ", 50)));
        AssertUserError(Run("train", "--corpus", path, "--batch-size", "2", "--steps", "3", "--prefix", "分龘"), "'龘'");
    }

    [Theory]
    [InlineData("--lr", "0")]
    [InlineData("--lr", "-1")]
    [InlineData("--hidden", "0")]
    [InlineData("--hidden", "-5")]
    [InlineData("--steps", "0")]
    [InlineData("--batch-size", "0")]
    [InlineData("--epochs", "0")]
    [InlineData("--clip", "0")]
    [InlineData("--threads", "0")]
    public void NonsenseHyperParametersNameTheOption(string option, string value) =>
        AssertUserError(Run("train", option, value), option);

    [Theory]
    [InlineData("--model", "rnn")]
    [InlineData("--sampling", "sideways")]
    [InlineData("--cell-output", "relu")]
    [InlineData("--hidden", "many")]
    public void UnknownValuesAreRejected(string option, string value) =>
        AssertUserError(Run("train", option, value), option);

    [Fact]
    public void UnknownOptionsAreRejected() => AssertUserError(Run("train", "--hiden", "3"), "--hiden");
}
