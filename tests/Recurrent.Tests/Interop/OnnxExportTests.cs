using System.Text.Json;
using Recurrent.Interop;
using Recurrent.Tests.Checkpoints;
using static Recurrent.Tests.Interop.ExportFixtures;

namespace Recurrent.Tests.Interop;

/// <summary>
/// Exported models run in the real ONNX Runtime: for each cell, 1 and 2 layers, one-hot and embedding input, the
/// logits and state match ours within 1e-5 (relative), a state carried across calls gives the logits of one long
/// sequence, and greedy generation writes the same 100 tokens.
/// </summary>
public class OnnxExportTests : FolderTests
{

    public static TheoryData<CellKind, int, int> Cases => Shapes();

    [Theory]
    [MemberData(nameof(Cases))]
    public void LogitsAndStateMatchOurs(CellKind cell, int layers, int embedding)
    {
        var model = Model(cell, layers, embedding);
        using var onnx = new OnnxRunner(Export(model, Dir.Path));
        const int T = 9, B = 3;
        var (timeMajor, rowMajor) = Tokens(T, B, seed: 11);
        var (h, c, state) = State(model, B, seed: 12);   // a state that is not zero, so every input of the graph counts

        var (logits, hOut, cOut) = onnx.Run(timeMajor, T, B, h, c, layers, Hidden);
        using var _ = Var.NoGrad();
        var (ours, next) = model.Forward(rowMajor, B, T, state);

        AssertClose(ours.Value.Span, logits, "logits");
        var (hOurs, cOurs) = Stack(model, next);
        AssertClose(hOurs, hOut, "h_out");
        if (cell == CellKind.Lstm) AssertClose(cOurs, cOut, "c_out");
        else Assert.Null(cOut);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AStateCarriedAcrossCallsGivesTheLogitsOfOneSequence(CellKind cell, int layers, int embedding)
    {
        var model = Model(cell, layers, embedding, seed: 21);
        using var onnx = new OnnxRunner(Export(model, Dir.Path));
        const int T = 12, B = 2;
        var (tokens, rowMajor) = Tokens(T, B, seed: 22);
        int size = layers * B * Hidden;
        float[]? zeros = cell == CellKind.Lstm ? new float[size] : null;
        var (whole, hWhole, cWhole) = onnx.Run(tokens, T, B, new float[size], zeros, layers, Hidden);

        var pieces = new List<float>();
        var (h, c) = (new float[size], zeros);
        int start = 0;
        foreach (int steps in (int[])[5, 1, 6])
        {
            var (logits, hNext, cNext) = onnx.Run(tokens[(start * B)..((start + steps) * B)], steps, B, h, c, layers, Hidden);
            pieces.AddRange(logits);
            (h, c, start) = (hNext, cNext, start + steps);
        }
        AssertClose(whole, pieces.ToArray(), "logits in pieces");
        AssertClose(hWhole, h, "h_out in pieces");
        if (cWhole is not null) AssertClose(cWhole, c, "c_out in pieces");

        using var _ = Var.NoGrad();
        var (ours, _) = model.Forward(rowMajor, B, T, model.BeginState(B));
        AssertClose(ours.Value.Span, whole, "logits");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GreedyContinuationOf100TokensIsOurs(CellKind cell, int layers, int embedding)
    {
        var model = Model(cell, layers, embedding, seed: 31);
        using var onnx = new OnnxRunner(Export(model, Dir.Path));
        int[] prefix = [3, 1, 4, 1, 5];
        var ours = model.Generate(prefix, GenerationOptions.Greedy with { Length = 100 }).ToArray();
        Assert.Equal(100, ours.Length);
        Assert.Equal(ours, GreedyInOnnxRuntime(onnx, prefix, 100, layers));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, EmbeddingSize)]
    public void AnLstmWithALinearCellOutputExportsItsCell(int layers, int embedding)
    {
        var model = Model(CellKind.Lstm, layers, embedding, seed: 41, CellOutput.Linear);
        using var onnx = new OnnxRunner(Export(model, Dir.Path));
        const int T = 8, B = 2;
        var (timeMajor, rowMajor) = Tokens(T, B, seed: 42);
        var (h, c, state) = State(model, B, seed: 43);
        var (logits, _, cOut) = onnx.Run(timeMajor, T, B, h, c, layers, Hidden);
        using var _ = Var.NoGrad();
        var (ours, next) = model.Forward(rowMajor, B, T, state);
        AssertClose(ours.Value.Span, logits, "logits");
        AssertClose(Stack(model, next).C, cOut, "c_out");
    }

    [Theory]
    [InlineData(CellKind.Lstm)]
    [InlineData(CellKind.Gru)]
    [InlineData(CellKind.Rnn)]
    public void AFromScratchModelExportsThroughItsFusedEquivalent(CellKind cell)
    {
        var rng = new Rng(51);
        var scratch = new ModelConfiguration { Model = ModelKind.Scratch, Cell = cell, VocabularySize = Characters11.Size, HiddenSize = Hidden }.Create(rng);
        Scale(scratch, rng);
        using var onnx = new OnnxRunner(Export(scratch, Dir.Path));
        const int T = 7, B = 2;
        var (timeMajor, rowMajor) = Tokens(T, B, seed: 52);
        int size = B * Hidden;
        var (logits, _, _) = onnx.Run(timeMajor, T, B, new float[size], cell == CellKind.Lstm ? new float[size] : null, 1, Hidden);
        using var _ = Var.NoGrad();
        var (ours, _) = scratch.Forward(rowMajor, B, T, scratch.BeginState(B));
        AssertClose(ours.Value.Span, logits, "logits");
        Assert.Equal(scratch.Generate([2], GenerationOptions.Greedy with { Length = 100 }), GreedyInOnnxRuntime(onnx, [2], 100, 1));
    }

    [Fact]
    public void TheMetadataHoldsTheVocabularyTokenizerAndModel()
    {
        var words = new Vocabulary(["<unk>", "<eos>", "the", "time", "machine"]);
        var model = new RnnModel(CellKind.Gru, words.Size, 4, new Rng(1), layers: 2, embedding: 3);
        string path = Dir.File("words.onnx");
        OnnxExport.Save(new Checkpoint(model, words, tokens: TokenKind.Word), path);
        using var onnx = new OnnxRunner(path);

        var metadata = onnx.Metadata;
        Assert.Equal(OnnxExport.ExportVersion, metadata[OnnxExport.MetadataKeys.Export]);
        Assert.Equal(words.Tokens, JsonSerializer.Deserialize<string[]>(metadata[OnnxExport.MetadataKeys.Vocabulary]));
        Assert.Equal("""{"tokens":"word"}""", metadata[OnnxExport.MetadataKeys.Tokenizer]);
        using var configuration = JsonDocument.Parse(metadata[OnnxExport.MetadataKeys.Model]);
        Assert.Equal("gru", configuration.RootElement.GetProperty("cell").GetString());
        Assert.Equal(2, configuration.RootElement.GetProperty("layers").GetInt32());
        Assert.Equal(4, configuration.RootElement.GetProperty("hidden_size").GetInt32());
        Assert.Equal(["tokens", "h"], onnx.InputNames);
        Assert.Equal(["logits", "h_out"], onnx.OutputNames);
    }

    [Fact]
    public void AModelTooLargeForOneFileIsRefusedAndNothingIsWritten()
    {
        var model = Model(CellKind.Lstm, 1, 0);
        string path = Dir.File("large.onnx");
        long bytes = model.Parameters.Sum(p => 4L * p.Value.Length);
        var error = Assert.Throws<RecurrentException>(() => OnnxExport.Save(new Checkpoint(model, Characters11), path, maxBytes: bytes - 1));
        Assert.Contains("more than one ONNX file holds", error.Message);
        Assert.Empty(Dir.FileNames());
        OnnxExport.Save(new Checkpoint(model, Characters11), path, maxBytes: bytes);   // at the limit it fits
        Assert.True(File.Exists(path));
    }

    /// <summary>The book's predictor on ONNX Runtime: the prefix one token at a time from a zero state, then the argmax, carrying the state.</summary>
    internal static int[] GreedyInOnnxRuntime(OnnxRunner onnx, int[] prefix, int length, int layers)
    {
        int size = layers * Hidden;
        var (h, c) = (new float[size], onnx.IsLstm ? new float[size] : null);
        float[] logits = [];
        var output = new List<int>();
        int next = prefix[0];
        for (int i = 0; output.Count < length; i++)
        {
            (logits, h, c) = onnx.Run([next], 1, 1, h, c, layers, Hidden);
            if (i + 1 < prefix.Length) next = prefix[i + 1];
            else output.Add(next = ArgMax(logits));
        }
        return [.. output];
    }

    private static int ArgMax(float[] values)
    {
        int best = 0;
        for (int j = 1; j < values.Length; j++) if (values[j] > values[best]) best = j;
        return best;
    }
}
