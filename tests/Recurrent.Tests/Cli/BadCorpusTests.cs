using Recurrent.Tests.Data;
using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary>Corpora a model cannot learn from, and prefixes it cannot read: one sentence, exit code 2, nothing written.</summary>
public class BadCorpusTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Trains on <paramref name="text"/> with a checkpoint and a log asked for, and checks the error and that neither was written.</summary>
    private void AssertRefused(string text, string[] options, params string[] fragments)
    {
        string corpus = _temp.File("corpus.txt", System.Text.Encoding.UTF8.GetBytes(text));
        string save = Path.Combine(_temp.Path, "run.safetensors"), log = Path.Combine(_temp.Path, "run.jsonl");

        var result = Run(["train", "--corpus", corpus, "--epochs", "1", "--hidden", "8", "--batch-size", "2", "--steps", "3", "--threads", "1",
            "--save", save, "--log", log, .. options]);

        AssertUserError(result, fragments);
        Assert.Equal(["corpus.txt"], Directory.GetFiles(_temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AnEmptyCorpus() => AssertRefused("", [], "corpus.txt is empty.");

    [Theory]
    [InlineData("a", "'a'")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "'a'")]
    [InlineData("\n\n\n\n\n\n\n\n\n\n", "U+000A")]
    public void ACorpusOfOneCharacter(string text, string shown) =>
        AssertRefused(text, [], $"has a single distinct character ({shown}): a model needs at least two to choose between.");

    [Theory]
    [InlineData("\n\n\n\n\n\n\n\n\n\n", new string[0], "only the token '<eos>'")]
    [InlineData("!!! ??? ...\n!!! ??? ...\n", new[] { "--punctuation", "drop" }, "only the token '<eos>'")]
    public void AWordCorpusOfOneToken(string text, string[] options, string fragment) =>
        AssertRefused(text, ["--tokens", "word", .. options], fragment, "a model needs at least two distinct tokens");

    [Fact]
    public void AWordCorpusWhoseEveryWordIsRare() =>
        AssertRefused("the quick brown fox\njumps over the lazy dog\n", ["--tokens", "word", "--min-count", "3"],
            "Every word of the corpus", "is seen fewer than --min-count 3 times, so all of them would become <unk>: lower --min-count.");

    [Fact]
    public void AnExplicitPrefixWithUnknownCharactersNamesThem() =>
        AssertRefused("abcabcabcabcabcabcabc", ["--prefix", "abz", "--prefix", "xy"], "The prefix 'abz' has characters not in the vocabulary: 'z'.");

    [Fact]
    public void AnExplicitPrefixWithUnknownWordsNamesThem() =>
        AssertRefused(string.Concat(Enumerable.Repeat("the time traveller said so\n", 5)), ["--tokens", "word", "--prefix", "The Time Machine"],
            "The prefix 'The Time Machine' has words not in the vocabulary: 'machine'.");

    [Fact]
    public void WordOptionsNeedWordTokens() =>
        AssertRefused("abcabcabcabcabcabcabc", ["--lowercase", "false"], "--lowercase applies to word tokens only: give --tokens word, or leave it out.");
}
