using Recurrent.Cli;
using static Recurrent.Tests.Cli.CliHarness;
using Recurrent.Tests.Checkpoints;
using static Recurrent.Tests.Checkpoints.CheckpointFixtures;

namespace Recurrent.Tests.Interop;

/// <summary>
/// <c>recurrent export</c>, in process: a model trained by <c>recurrent train</c> (each cell, stacked, with an
/// embedding, from scratch) is exported, and ONNX Runtime's greedy text is the text of <c>recurrent generate
/// --temperature 0</c>; what cannot be exported is one sentence with exit code 2 and no file.
/// </summary>
public class ExportCliTests : FolderTests
{
    private readonly string _corpus;

    public ExportCliTests()
    {
        _corpus = Dir.File("corpus.txt");
        File.WriteAllText(_corpus, string.Concat(Enumerable.Repeat(Text, 3)));
    }

    private string TrainAndSave(string name, params string[] model)
    {
        string path = Dir.File(name);
        var trained = Run(["train", "--corpus", _corpus, "--hidden", "8", "--batch-size", "2", "--steps", "4", "--epochs", "3",
            "--lr", "1", "--clip", "1", "--init", "uniform:0.3", "--quiet", "--threads", "1", "--save", path, .. model]);
        Assert.True(trained.Code == 0, trained.Err);
        return path;
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn")]
    [InlineData("lstm", "--layers", "2", "--embedding", "4")]
    [InlineData("gru", "--layers", "2", "--embedding", "4")]
    [InlineData("lstm", "--model", "scratch")]
    [InlineData("gru", "--model", "scratch")]
    [InlineData("lstm", "--cell-output", "linear")]
    public void ATrainedModelExportedWritesTheGreedyTextOfGenerate(string cell, params string[] more)
    {
        string checkpoint = TrainAndSave("run.safetensors", ["--cell", cell, .. more]);
        string onnxPath = Dir.File("run.onnx");
        var exported = Run("export", "--checkpoint", checkpoint, "--out", onnxPath);
        Assert.Equal(0, exported.Code);
        Assert.StartsWith($"wrote {onnxPath}: ", exported.Out);
        Assert.Equal("", exported.Err);

        var generated = Run("generate", "--checkpoint", checkpoint, "--prefix", "分开", "--length", "40", "--temperature", "0");
        Assert.Equal(0, generated.Code);

        var loaded = Checkpoint.Load(checkpoint);
        using var onnx = new OnnxRunner(onnxPath);
        int layers = loaded.Configuration.Layers, hidden = loaded.Configuration.HiddenSize;
        int size = layers * hidden;
        var (h, c) = (new float[size], onnx.IsLstm ? new float[size] : null);
        var text = new System.Text.StringBuilder("分开");
        float[] logits = [];
        foreach (int token in loaded.Tokenizer.EncodeStrict("分开", "prefix")) (logits, h, c) = onnx.Run([token], 1, 1, h, c, layers, hidden);
        for (int i = 0; i < 40; i++)
        {
            int next = Array.IndexOf(logits, logits.Max());
            text.Append(loaded.Vocabulary.Tokens[next]);
            (logits, h, c) = onnx.Run([next], 1, 1, h, c, layers, hidden);
        }
        Assert.Equal(generated.Out.TrimEnd('\n'), text.ToString());
    }

    [Fact]
    public void AFileThatIsNotACheckpointIsOneSentenceAndNoFile()
    {
        string checkpoint = TrainAndSave("run.safetensors");
        string onnxPath = Dir.File("run.onnx");
        Assert.Equal(0, Run("export", "--checkpoint", checkpoint, "--out", onnxPath).Code);

        var result = Run("export", "--checkpoint", onnxPath, "--out", Dir.File("again.onnx"));
        AssertUserError(result, $"{onnxPath} is not a valid checkpoint");
        Assert.False(File.Exists(Dir.File("again.onnx")));
        AssertUserError(Run("export", "--checkpoint", Dir.File("missing.safetensors"), "--out", Dir.File("x.onnx")), "does not exist");
    }

    [Fact]
    public void AnOutputPathThatCannotBeWrittenIsOneSentence()
    {
        string checkpoint = TrainAndSave("run.safetensors");
        var result = Run("export", "--checkpoint", checkpoint, "--out", Dir.File("no/such/folder/model.onnx"));
        AssertUserError(result, "Could not write ONNX model");
        AssertUserError(Run("export", "--checkpoint", checkpoint), "--out");
    }
}
