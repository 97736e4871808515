namespace Recurrent.Tests.Models;

/// <summary>Inputs and comparisons shared by the GRU and RNN tests. B batch, T steps, V vocabulary, H hidden units.</summary>
internal static class CellTestSupport
{
    public static int[] Tokens(ulong seed, int n, int vocabularySize)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextInt(vocabularySize)).ToArray();
    }

    /// <summary>B x T batch-major tokens (the language model's order) as T·B time-major ones (the layer's order).</summary>
    public static int[] TimeMajor(int[] batchMajor, int batchSize, int steps)
    {
        var timeMajor = new int[batchMajor.Length];
        for (int b = 0; b < batchSize; b++)
            for (int t = 0; t < steps; t++) timeMajor[t * batchSize + b] = batchMajor[b * steps + t];
        return timeMajor;
    }

    /// <summary>A one-part state (H) drawn from N(0, 0.5²), so that step 0 depends on it.</summary>
    public static RecurrentState RandomState(ulong seed, int batchSize, int hiddenSize) =>
        new([Var.Constant(Tensor.RandomNormal(new Rng(seed), 0.5f, batchSize, hiddenSize))]);

    /// <summary>Overwrites every parameter, biases included, with draws from N(0, 0.5²): every non-linearity then matters.</summary>
    public static void Randomize(IEnumerable<Var> parameters, ulong seed)
    {
        var rng = new Rng(seed);
        foreach (var p in parameters) rng.FillNormal(p.Value.Span, 0f, 0.5f);
    }

    /// <summary>Fresh parameters with the same values (and names), so two models can be compared side by side.</summary>
    public static Var CopyOf(Var p) => Var.Parameter(p.Value.Clone(), p.Name);

    /// <summary>Each element within rtol of the largest |expected| (plus a hair for exact zeros).</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what, double rtol = 1e-4)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0;
        foreach (float e in expected) scale = Math.Max(scale, Math.Abs(e));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= rtol * scale + 1e-7,
                $"{what}[{i}]: expected {expected[i]}, actual {actual[i]} (scale {scale})");
    }

    /// <summary>Bytes this thread allocates in one call of <paramref name="action"/>, after two calls to warm it up.</summary>
    public static long BytesAllocatedBy(Action action)
    {
        action();
        action();
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    public static float[] Uniform(Rng rng, int n, float low, float high)
    {
        var a = new float[n];
        rng.FillUniform(a, low, high);
        return a;
    }
}
