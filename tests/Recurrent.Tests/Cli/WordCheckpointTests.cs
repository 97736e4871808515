using System.Text.Json.Nodes;
using Recurrent.Tests.Data;
using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary>A checkpoint keeps its tokenizer's settings, so that generate and evaluate read text as training did.</summary>
public class WordCheckpointTests : IDisposable
{
    private const string Text = "'It is,' said the Time Traveller. The Time Traveller smiled.\nThe fire burned brightly, and the Traveller spoke.\n";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Train(params string[] options)
    {
        string corpus = _temp.File("corpus.txt", System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Text, 6))));
        string save = Path.Combine(_temp.Path, $"run-{Guid.NewGuid():N}.safetensors");
        var (code, _, err) = Run(["train", "--corpus", corpus, "--tokens", "word", "--epochs", "2", "--hidden", "8", "--batch-size", "2",
            "--steps", "5", "--pred-len", "3", "--threads", "1", "--save", save, .. options]);
        Assert.True(code == 0, err);
        return save;
    }

    private static JsonNode Tokenizer(string path) => JsonNode.Parse(SafeTensors.Read(path).Metadata["tokenizer"])!;

    [Fact]
    public void TheDefaultsAreRecordedAndPrefixesAreNormalisedByThem()
    {
        string path = Train();

        Assert.Equal("""{"tokens":"word","lowercase":true,"punctuation":"split"}""", Tokenizer(path).ToJsonString());
        var loaded = Checkpoint.Load(path);
        Assert.Equal(new WordNormalization(true, Punctuation.Split), loaded.Words);
        Assert.DoesNotContain("The", loaded.Vocabulary.Tokens);
        Assert.Contains(",", loaded.Vocabulary.Tokens);

        var (code, output, err) = Run("generate", "--checkpoint", path, "--prefix", "The Time Traveller,", "--length", "40", "--threads", "1");
        Assert.True(code == 0, err);
        Assert.StartsWith("The Time Traveller,", output);
        Assert.DoesNotContain("\n ", output);   // a line after <eos> starts with its word
        Assert.DoesNotContain(" .", output);
        // evaluate reads a text as training did: in capitals, it is the same words.
        var shouted = Run("evaluate", "--checkpoint", path, "--corpus", _temp.File("shouted.txt", "THE TIME TRAVELLER SMILED."u8.ToArray()));
        var plain = Run("evaluate", "--checkpoint", path, "--corpus", _temp.File("plain.txt", "the time traveller smiled ."u8.ToArray()));
        Assert.True(shouted.Code == 0, shouted.Err);
        Assert.StartsWith("perplexity ", shouted.Out);
        Assert.Equal(plain.Out, shouted.Out);
    }

    [Fact]
    public void OtherSettingsAreRecordedAndKept()
    {
        string path = Train("--lowercase", "false", "--punctuation", "keep");

        Assert.Equal("""{"tokens":"word","lowercase":false,"punctuation":"keep"}""", Tokenizer(path).ToJsonString());
        Assert.Contains("Traveller.", Checkpoint.Load(path).Vocabulary.Tokens);
        AssertUserError(Run("generate", "--checkpoint", path, "--prefix", "the time traveller", "--threads", "1"),
            "has words not in the vocabulary: 'time', 'traveller'.");
        // A resumed run or one started from these weights keeps the tokenizer: another setting is refused.
        AssertUserError(Run("train", "--resume", path, "--epochs", "3", "--lowercase", "true"), "--lowercase true differs from the false that");
        AssertUserError(Run("train", "--init-from", path, "--corpus", "timemachine", "--punctuation", "split"), "--punctuation split differs from the keep of the model in");
    }

    [Fact]
    public void AWordCheckpointWrittenBeforeTheSettingsSplitsOnWhitespaceAlone()
    {
        string path = Train("--lowercase", "false", "--punctuation", "keep");
        var file = SafeTensors.Read(path);
        var metadata = file.Metadata.ToDictionary();
        metadata["tokenizer"] = """{"tokens":"word"}""";
        metadata["training"] = JsonNode.Parse(metadata["training"])!.AsObject() is var training
            && training["data"]!.AsObject().Remove("lowercase") && training["data"]!.AsObject().Remove("punctuation")
            ? training.ToJsonString() : throw new InvalidOperationException();
        string old = Path.Combine(_temp.Path, "old.safetensors");
        SafeTensors.Write(old, file.Tensors, metadata);

        var loaded = Checkpoint.Load(old);

        Assert.Equal(WordNormalization.None, loaded.Words);
        Assert.Equal(Checkpoint.Load(path).Tokenizer.EncodeStrict("The Time Traveller.", "prefix"), loaded.Tokenizer.EncodeStrict("The Time Traveller.", "prefix"));
        var resumed = Run("train", "--resume", old, "--epochs", "3", "--threads", "1");
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Equal("""{"tokens":"word","lowercase":false,"punctuation":"keep"}""", Tokenizer(old).ToJsonString());
    }

    [Fact]
    public void ACharacterCheckpointWithWordSettingsIsNotValid()
    {
        string corpus = _temp.File("chars.txt", System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Text, 3))));
        string path = Path.Combine(_temp.Path, "chars.safetensors");
        Assert.Equal(0, Run("train", "--corpus", corpus, "--epochs", "1", "--hidden", "8", "--batch-size", "2", "--steps", "5", "--threads", "1", "--save", path).Code);
        var file = SafeTensors.Read(path);
        Assert.Equal("""{"tokens":"char"}""", file.Metadata["tokenizer"]);
        var metadata = file.Metadata.ToDictionary();
        metadata["tokenizer"] = """{"tokens":"char","lowercase":true}""";
        SafeTensors.Write(path, file.Tensors, metadata);

        var error = Assert.Throws<RecurrentException>(() => Checkpoint.Load(path));

        Assert.Equal($"{path} is not a valid checkpoint: its 'tokenizer' metadata has word settings for character tokens.", error.Message);
    }
}
