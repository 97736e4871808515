using Recurrent.Interop;
using Recurrent.Tensors;

namespace Recurrent.Tests.Interop;

/// <summary>
/// Tiny models of every shape <c>train</c> makes, with weights large enough that logits are of order one and the
/// greedy choice is clear, exported to ONNX; and the conversions between our state and ONNX's [L, B, H] tensors.
/// </summary>
internal static class ExportFixtures
{
    public const string Characters = "abcdefghijk";   // V = 11
    public const int Hidden = 6, EmbeddingSize = 5;

    public static Vocabulary Characters11 { get; } = Vocabulary.FromCharacters(Characters);

    /// <summary>The cases of the tests: each cell, 1 and 2 layers, one-hot (E = 0) and embedding input.</summary>
    public static TheoryData<CellKind, int, int> Shapes()
    {
        var data = new TheoryData<CellKind, int, int>();
        foreach (var cell in Enum.GetValues<CellKind>())
            foreach (int layers in (int[])[1, 2])
                foreach (int embedding in (int[])[0, EmbeddingSize]) data.Add(cell, layers, embedding);
        return data;
    }

    /// <summary>A model whose parameters are drawn from N(0, 0.5²), the recurrent weights from N(0, 0.25²) (see <see cref="Scale"/>).</summary>
    public static RnnModel Model(CellKind cell, int layers, int embedding, ulong seed = 7, CellOutput cellOutput = CellOutput.Tanh)
    {
        var rng = new Rng(seed);
        var model = new RnnModel(cell, Characters11.Size, Hidden, rng, layers, embedding, cellOutput: cellOutput);
        Scale(model, rng);
        return model;
    }

    /// <summary>
    /// Redraws every parameter from N(0, 0.5²), except the recurrent weights (W_hh, the book's W_h*), from N(0, 0.25²):
    /// then the recurrence contracts, so that float rounding, which differs between two correct implementations, does
    /// not grow from step to step as it does in a chaotic network, and 100 greedy tokens test the export, not the chaos.
    /// </summary>
    public static void Scale(LanguageModel model, Rng rng)
    {
        foreach (var p in model.Parameters)
        {
            bool recurrent = p.Name!.Contains("weight_hh", StringComparison.Ordinal) || p.Name.StartsWith("W_h", StringComparison.Ordinal) && p.Name != "W_hq";
            Tensor.RandomNormal(rng, recurrent ? 0.25f : 0.5f, [.. p.Value.Shape]).Span.CopyTo(p.Value.Span);
        }
    }

    /// <summary>Exports <paramref name="model"/> as a character model into <paramref name="directory"/> and returns the file.</summary>
    public static string Export(LanguageModel model, string directory, string name = "model.onnx")
    {
        string path = Path.Combine(directory, name);
        OnnxExport.Save(new Checkpoint(model, Characters11), path);
        return path;
    }

    /// <summary>T x B random tokens, time-major (index t·B + b), and the same as B x T row-major (our models' input).</summary>
    public static (long[] TimeMajor, int[] RowMajor) Tokens(int steps, int batch, ulong seed)
    {
        var rng = new Rng(seed);
        var timeMajor = new long[steps * batch];
        var rowMajor = new int[steps * batch];
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
                rowMajor[b * steps + t] = (int)(timeMajor[t * batch + b] = (long)(rng.NextDouble() * Characters11.Size));
        return (timeMajor, rowMajor);
    }

    /// <summary>A random state: ONNX's h (and c) as [L, B, H], and ours, the layers' parts in order.</summary>
    public static (float[] H, float[]? C, RecurrentState State) State(RnnModel model, int batch, ulong seed)
    {
        var rng = new Rng(seed);
        int L = model.Layers.Count, H = model.HiddenSize;
        bool lstm = model.Rnn is LstmLayer;
        var h = Tensor.RandomNormal(rng, 0.5f, L * batch * H).Span.ToArray();
        var c = lstm ? Tensor.RandomNormal(rng, 0.5f, L * batch * H).Span.ToArray() : null;
        var parts = new List<Var>();
        for (int k = 0; k < L; k++)
        {
            parts.Add(Var.Constant(new Tensor(h.AsSpan(k * batch * H, batch * H).ToArray(), batch, H)));
            if (lstm) parts.Add(Var.Constant(new Tensor(c!.AsSpan(k * batch * H, batch * H).ToArray(), batch, H)));
        }
        return (h, c, new RecurrentState(parts));
    }

    /// <summary>Our state as ONNX's h and c: the layers' H parts stacked, and their C parts.</summary>
    public static (float[] H, float[]? C) Stack(RnnModel model, RecurrentState state)
    {
        bool lstm = model.Rnn is LstmLayer;
        int partsPerLayer = lstm ? 2 : 1;
        var h = state.Parts.Where((_, i) => i % partsPerLayer == 0).SelectMany(p => p.Value.Span.ToArray()).ToArray();
        var c = lstm ? state.Parts.Where((_, i) => i % 2 == 1).SelectMany(p => p.Value.Span.ToArray()).ToArray() : null;
        return (h, c);
    }

    /// <summary>Each value within 1e-5 of the expected one, relative (with a floor of 1e-6 for values near zero).</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 1e-5 * Math.Abs(expected[i]) + 1e-6;
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance,
                $"{what}[{i}]: ONNX Runtime {actual[i]:R}, Recurrent {expected[i]:R} (difference {Math.Abs(actual[i] - expected[i]):G3}, tolerance {tolerance:G3})");
        }
    }
}
