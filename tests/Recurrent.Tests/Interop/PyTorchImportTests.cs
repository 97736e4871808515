using System.Text.Json;
using Recurrent.Interop;
using Recurrent.Tensors;
using Recurrent.Tests.Checkpoints;
using static Recurrent.Tests.Cli.CliHarness;
using static Recurrent.Tests.Interop.ExportFixtures;

namespace Recurrent.Tests.Interop;

/// <summary>
/// <c>recurrent import</c> on fixtures written here as PyTorch writes them: a <c>state_dict</c> with the names of
/// <c>nn.Embedding</c> <c>embedding</c>, <c>nn.LSTM</c>/<c>GRU</c>/<c>RNN</c> <c>rnn</c> and <c>nn.Linear</c> <c>dense</c>, in
/// safetensors without our metadata, and a vocabulary file. The structure comes from the names and shapes; the
/// checkpoint computes what the weights compute and the other commands take it; every mismatch is one sentence.
/// </summary>
public class PyTorchImportTests : FolderTests
{

    /// <summary>The state_dict of <paramref name="model"/> as safetensors, as <c>safetensors.torch.save_file</c> writes it (in PyTorch's order: embedding, rnn, dense).</summary>
    private string Weights(RnnModel model, Func<string, Tensor, IEnumerable<KeyValuePair<string, Tensor>>>? edit = null)
    {
        string path = Dir.File("model.safetensors");
        var tensors = model.Parameters.SelectMany(p => edit?.Invoke(p.Name!, p.Value) ?? [new(p.Name!, p.Value)]);
        SafeTensors.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        return path;
    }

    private string VocabularyJson(IEnumerable<string> tokens, string name = "vocab.json")
    {
        string path = Dir.File(name);
        File.WriteAllText(path, JsonSerializer.Serialize(tokens));
        return path;
    }

    public static TheoryData<CellKind, int, int> Cases => Shapes();

    [Theory]
    [MemberData(nameof(Cases))]
    public void ImportedWeightsComputeWhatTheyComputedAndTheStructureIsRead(CellKind cell, int layers, int embedding)
    {
        var model = Model(cell, layers, embedding);
        var imported = PyTorchImport.Load(Weights(model), VocabularyJson(Characters11.Tokens));

        var c = imported.Configuration;
        Assert.Equal((ModelKind.Concise, cell, layers, embedding, Characters11.Size, Hidden), (c.Model, c.Cell, c.Layers, c.Embedding, c.VocabularySize, c.HiddenSize));
        Assert.Null(imported.Training);
        Assert.Equal(Characters11.Tokens, imported.Vocabulary.Tokens);
        var (_, tokens) = Tokens(6, 2, seed: 3);
        using var _ = Var.NoGrad();
        Assert.Equal(model.Forward(tokens, 2, 6, model.BeginState(2)).Logits.Value.Span.ToArray(),
            imported.Model.Forward(tokens, 2, 6, imported.Model.BeginState(2)).Logits.Value.Span.ToArray());
    }

    [Fact]
    public void TheImportedCheckpointIsTakenByGenerateEvaluateExportAndInitFrom()
    {
        var model = Model(CellKind.Gru, 2, EmbeddingSize);
        string vocabulary = Dir.File("vocab.txt");
        File.WriteAllText(vocabulary, string.Join('\n', Characters11.Tokens) + "\n");   // one token per line
        string run = Dir.File("run.safetensors");
        var imported = Run("import", "--weights", Weights(model), "--vocabulary", vocabulary, "--out", run);
        Assert.Equal(0, imported.Code);
        Assert.Equal($"wrote {run}: 2 layers of GRU with {Hidden} units, an embedding of {EmbeddingSize}, {Characters11.Size} tokens\n", imported.Out);

        var generated = Run("generate", "--checkpoint", run, "--prefix", "abc", "--length", "30", "--temperature", "0");
        Assert.Equal(0, generated.Code);
        var expected = model.Generate(Characters11.Encode("abc"), GenerationOptions.Greedy with { Length = 30 }).ToArray();
        Assert.Equal("abc" + Characters11.Decode(expected) + "\n", generated.Out);

        string text = Dir.File("text.txt");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("abcdefghijk kjihgfedcba ", 8)).Replace(" ", ""));
        var evaluated = Run("evaluate", "--checkpoint", run, "--corpus", text);
        Assert.Equal(0, evaluated.Code);
        Assert.StartsWith("perplexity ", evaluated.Out);

        Assert.Equal(0, Run("export", "--checkpoint", run, "--out", Dir.File("run.onnx")).Code);
        var tuned = Run("train", "--init-from", run, "--corpus", text, "--epochs", "1", "--batch-size", "2", "--steps", "4", "--quiet",
            "--prefix", "abc", "--save", Dir.File("tuned.safetensors"));
        Assert.True(tuned.Code == 0, tuned.Err);
        Assert.Equal(2, Checkpoint.Load(Dir.File("tuned.safetensors")).Configuration.Layers);
    }

    [Fact]
    public void AWordModelNeedsItsSpecialTokens()
    {
        var words = new[] { "<unk>", "<eos>", "the", "time", "machine", "traveller", "was", "one", "of", "them", "said" };   // V = 11
        string weights = Weights(Model(CellKind.Lstm, 1, EmbeddingSize));
        string run = Dir.File("words.safetensors");
        Assert.Equal(0, Run("import", "--weights", weights, "--vocabulary", VocabularyJson(words), "--tokens", "word", "--out", run).Code);
        Assert.Equal(TokenKind.Word, Checkpoint.Load(run).Tokens);
        var noSpecials = words.Select(w => w.Trim('<', '>') + "_").ToArray();
        AssertUserError(Run("import", "--weights", weights, "--vocabulary", VocabularyJson(noSpecials), "--tokens", "word", "--out", run), "<unk> and <eos>");
    }

    [Fact]
    public void ACharacterModelHasOneCharacterPerToken()
    {
        var tokens = new[] { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "kl" };   // V = 11
        string weights = Weights(Model(CellKind.Lstm, 1, EmbeddingSize));
        string run = Dir.File("chars.safetensors");
        AssertUserError(Run("import", "--weights", weights, "--vocabulary", VocabularyJson(tokens), "--out", run),
            "has the token 'kl' (token 10), which is not one character: a character model has one per token (--tokens word imports a word model).");
        Assert.False(File.Exists(run));
    }

    public static TheoryData<string, string> BadWeights => new()
    {
        { "bidirectional", "'rnn.weight_ih_l0_reverse' is a bidirectional layer" },
        { "projection", "'rnn.weight_hr_l0' is a projection (proj_size)" },
        { "unknown", "its tensor 'decoder.weight' is not one of embedding.weight, rnn.weight_ih_l0" },
        { "no bias", "it lacks 'rnn.bias_hh_l0', which an LSTM with V = 11, H = 6 and one-hot input has (a layer made with bias=False" },
        { "wrong shape", "'rnn.weight_ih_l0' has shape (24, 10), but an LSTM with V = 11, H = 6 and one-hot input needs (24, 11)" },
        { "gates", "rnn.weight_hh_l0 has shape (12, 6), and H = 6 units make 4H rows (LSTM), 3H (GRU) or H (RNN)" },
        { "not finite", "'dense.bias' holds NaN at index 2, and a model needs finite weights" },
        { "no dense", "it lacks 'dense.weight', which every model Recurrent imports has" },
    };

    [Theory]
    [MemberData(nameof(BadWeights))]
    public void WeightsThatAreNotAModelWeRunAreOneSentence(string problem, string fragment)
    {
        var model = Model(CellKind.Lstm, 1, 0);
        IEnumerable<KeyValuePair<string, Tensor>> Edit(string name, Tensor value) => (problem, name) switch
        {
            ("bidirectional", "rnn.weight_ih_l0") => [new(name, value), new("rnn.weight_ih_l0_reverse", value)],
            ("projection", "rnn.weight_hh_l0") => [new(name, value), new("rnn.weight_hr_l0", Tensor.Zeros(3, 6))],
            ("unknown", "dense.weight") => [new("decoder.weight", value)],
            ("no bias", "rnn.bias_hh_l0") => [],
            ("wrong shape", "rnn.weight_ih_l0") => [new(name, Tensor.Zeros(24, 10))],
            ("gates", "rnn.weight_hh_l0") => [new(name, Tensor.Zeros(12, 6))],
            ("not finite", "dense.bias") => [new(name, new Tensor([0, 0, float.NaN, 0, 0, 0, 0, 0, 0, 0, 0], 11))],
            ("no dense", "dense.weight") => [],
            _ => [new(name, value)],
        };
        string weights = Weights(model, Edit);
        var result = Run("import", "--weights", weights, "--vocabulary", VocabularyJson(Characters11.Tokens), "--out", Dir.File("run.safetensors"));
        AssertUserError(result, $"{weights} is not a PyTorch language model Recurrent can import: ");
        Assert.True(result.Err.Contains(fragment, StringComparison.Ordinal), result.Err);
        Assert.False(File.Exists(Dir.File("run.safetensors")));
    }

    public static TheoryData<string, string, string> BadVocabularies => new()
    {
        { "vocab.json", """["a", "b"]""", "has 2 tokens, but the model in" },
        { "vocab.json", """["a"]""", "has 1 token, but the model in" },
        { "vocab.json", """["a", "b", "a"]""", "has the token 'a' twice (entries 0 and 2)" },
        { "vocab.json", """{"a": 0}""", "is not a JSON array of strings" },
        { "vocab.json", """["a", null]""", "has an empty token at entry 1" },
        { "vocab.txt", "a\nb\n\nc\n", "has an empty token at line 3 (a vocabulary with a line break" },
        { "vocab.txt", "a\r\nb\r\na\r\n", "has the token 'a' twice (lines 1 and 3)" },
        { "vocab.txt", "", "has no tokens" },
    };

    [Theory]
    [MemberData(nameof(BadVocabularies))]
    public void AVocabularyThatDoesNotFitIsOneSentence(string name, string content, string fragment)
    {
        string weights = Weights(Model(CellKind.Rnn, 1, 0));
        string vocabulary = Dir.File(name);
        File.WriteAllText(vocabulary, content);
        var result = Run("import", "--weights", weights, "--vocabulary", vocabulary, "--out", Dir.File("run.safetensors"));
        AssertUserError(result, fragment);
        Assert.False(File.Exists(Dir.File("run.safetensors")));
    }

    [Fact]
    public void MissingFilesAreOneSentence()
    {
        string weights = Weights(Model(CellKind.Rnn, 1, 0));
        AssertUserError(Run("import", "--weights", weights, "--vocabulary", Dir.File("none.json"), "--out", Dir.File("run.safetensors")),
            "The vocabulary file");
        AssertUserError(Run("import", "--weights", Dir.File("none.safetensors"), "--vocabulary", VocabularyJson(Characters11.Tokens), "--out", Dir.File("run.safetensors")),
            "does not exist");
        AssertUserError(Run("import", "--weights", weights, "--vocabulary", VocabularyJson(Characters11.Tokens), "--tokens", "bytes", "--out", Dir.File("run.safetensors")),
            "bytes");
    }

    [Fact]
    public void LinesKeepSpacesAndAFinalLineBreakEndsTheLastToken()
    {
        string path = Dir.File("vocab.txt");
        File.WriteAllText(path, "\uFEFFa\n \r\nb");
        Assert.Equal(["a", " ", "b"], VocabularyFile.Read(path).Tokens);
        File.WriteAllText(path, "a\n \nb\n");
        Assert.Equal(["a", " ", "b"], VocabularyFile.Read(path).Tokens);
    }
}
