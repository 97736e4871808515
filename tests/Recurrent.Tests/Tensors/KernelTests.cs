namespace Recurrent.Tests.Tensors;

/// <summary>The vectorized kernels against their scalar references, at every length 1..256 (all remainders).</summary>
[Collection("Parallelism")]
public class KernelTests
{
    private static float[] Random(Rng rng, int n, float scale = 3f)
    {
        var a = new float[n];
        rng.FillUniform(a, -scale, scale);
        return a;
    }

    private static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tol)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tol * (1 + Math.Abs(expected[i])),
                $"element {i} of {expected.Length}: expected {expected[i]}, got {actual[i]}");
    }

    public static IEnumerable<object[]> Lengths() => Enumerable.Range(1, 256).Where(n => n <= 40 || n % 7 == 0 || n > 250).Select(n => new object[] { n });

    [Theory, MemberData(nameof(Lengths))]
    public void ElementwiseKernelsMatchTheReference(int n)
    {
        var rng = new Rng((ulong)n);
        float[] x = Random(rng, n), y = Random(rng, n), z = Random(rng, n);
        float[] fast = new float[n], slow = new float[n];

        Kernels.Sigmoid(x, fast); KernelsReference.Sigmoid(x, slow); Close(slow, fast, 1e-6f);
        Kernels.Tanh(x, fast); KernelsReference.Tanh(x, slow); Close(slow, fast, 1e-6f);
        Kernels.Exp(x, fast); KernelsReference.Exp(x, slow); Close(slow, fast, 1e-6f);
        Kernels.MultiplyAdd(x, y, z, fast); KernelsReference.MultiplyAdd(x, y, z, slow); Close(slow, fast, 1e-6f);
        Assert.Equal(KernelsReference.Sum(x), Kernels.Sum(x), 1e-4f * n);

        float[] dFast = (float[])z.Clone(), dSlow = (float[])z.Clone();
        Kernels.AccumulateSigmoidBackward(x, y, dFast); KernelsReference.AccumulateSigmoidBackward(x, y, dSlow);
        Close(dSlow, dFast, 1e-6f);
        Kernels.AccumulateTanhBackward(x, y, dFast); KernelsReference.AccumulateTanhBackward(x, y, dSlow);
        Close(dSlow, dFast, 1e-6f);
    }

    [Theory, MemberData(nameof(Lengths))]
    public void RowKernelsMatchTheReference(int cols)
    {
        var rng = new Rng(1000 + (ulong)cols);
        const int rows = 3;
        var m = Random(rng, rows * cols, 20f);
        float[] fast = new float[rows * cols], slow = new float[rows * cols];
        Kernels.SoftmaxRows(m, rows, cols, fast); KernelsReference.SoftmaxRows(m, rows, cols, slow);
        Close(slow, fast, 1e-5f);

        float[] accFast = Random(rng, cols), accSlow = (float[])accFast.Clone();
        Kernels.AccumulateColumnSums(m, rows, cols, accFast); KernelsReference.AccumulateColumnSums(m, rows, cols, accSlow);
        Close(accSlow, accFast, 1e-5f);
    }

    [Theory]
    [InlineData(1120, 1027)]
    [InlineData(300, 130)]
    public void LargeColumnSumsMatchTheReferenceAndDoNotDependOnThreads(int rows, int cols)
    {
        var rng = new Rng(77);
        var m = Random(rng, rows * cols);
        var start = Random(rng, cols);
        float[] slow = (float[])start.Clone(), one = (float[])start.Clone(), two = (float[])start.Clone();
        KernelsReference.AccumulateColumnSums(m, rows, cols, slow);
        int saved = Parallelism.MaxThreads;
        try
        {
            Parallelism.MaxThreads = 1;
            Kernels.AccumulateColumnSums(m, rows, cols, one);
            Parallelism.MaxThreads = 2;
            Kernels.AccumulateColumnSums(m, rows, cols, two);
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
        Close(slow, two, 1e-4f);
        Assert.Equal(one, two);
    }

    [Fact]
    public void ArgMaxTakesTheFirstOfTies()
    {
        Assert.Equal(1, Kernels.ArgMax([0f, 3f, 1f, 3f]));
    }
}
