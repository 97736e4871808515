namespace Recurrent.Tests.Tensors;

/// <summary>Operands and the element-wise check shared by the GEMM tests.</summary>
internal static class GemmTestData
{
    // Paths travel as names: GemmPath is internal and a public test method cannot take it.

    /// <summary>Every path this machine runs, as theory data.</summary>
    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string>();
        foreach (var path in Gemm.SupportedPaths) data.Add(path.ToString());
        return data;
    }

    /// <summary>Every supported path crossed with the four transpose combinations.</summary>
    public static TheoryData<string, bool, bool> PathsAndTransposes()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (var path in Gemm.SupportedPaths)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    data.Add(path.ToString(), ta, tb);
        return data;
    }

    public static GemmPath Path(string name) => Enum.Parse<GemmPath>(name);

    /// <summary>A stored operand of rows x cols with row stride ld, random inside and NaN in the padding.</summary>
    public static float[] Matrix(Rng rng, int rows, int cols, int ld)
    {
        var data = new float[Math.Max(1, rows * ld)];
        data.AsSpan().Fill(float.NaN);
        for (int r = 0; r < rows; r++) rng.FillUniform(data.AsSpan(r * ld, cols), -1f, 1f);
        return data;
    }

    public static float[] Abs(float[] x) => x.Select(MathF.Abs).ToArray();

    /// <summary>
    /// Checks <paramref name="actual"/> against the reference result within 1e-5 of the magnitudes that went
    /// into each element (|alpha| sum_k |a b| + |beta c|) plus 1e-6, and that C's padding is untouched.
    /// </summary>
    public static void AssertClose(float[] expected, float[] actual, float[] magnitude, int m, int n, int ldc, string what)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < ldc; j++)
            {
                int at = i * ldc + j;
                if (j >= n)
                {
                    Assert.True(BitConverter.SingleToInt32Bits(expected[at]) == BitConverter.SingleToInt32Bits(actual[at]),
                        $"{what}: padding C[{i},{j}] was written");
                    continue;
                }
                float tolerance = 1e-5f * magnitude[at] + 1e-6f;
                if (!(MathF.Abs(expected[at] - actual[at]) <= tolerance))
                    Assert.Fail($"{what}: C[{i},{j}] = {actual[at]}, expected {expected[at]} (tolerance {tolerance})");
            }
        }
    }

    /// <summary>
    /// Runs one product on <paramref name="path"/> with random operands (row strides widened by the pads)
    /// and compares it with <see cref="GemmReference"/>. C starts as NaN when beta is 0.
    /// </summary>
    public static void CheckOne(Rng rng, GemmPath path, bool transA, bool transB, int m, int n, int k,
        float alpha, float beta, int padA = 0, int padB = 0, int padC = 0)
    {
        int lda = (transA ? m : k) + padA, ldb = (transB ? k : n) + padB, ldc = n + padC;
        lda = Math.Max(1, lda);
        ldb = Math.Max(1, ldb);
        var a = Matrix(rng, transA ? k : m, transA ? m : k, lda);
        var b = Matrix(rng, transB ? n : k, transB ? k : n, ldb);
        var c0 = Matrix(rng, m, n, ldc);
        if (beta == 0f) for (int i = 0; i < m; i++) c0.AsSpan(i * ldc, n).Fill(float.NaN);

        var expected = (float[])c0.Clone();
        GemmReference.Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
        var magnitude = new float[c0.Length];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                magnitude[i * ldc + j] = beta == 0f ? 0f : MathF.Abs(beta * c0[i * ldc + j]);
        GemmReference.Multiply(transA, transB, m, n, k, MathF.Abs(alpha), Abs(a), lda, Abs(b), ldb, 1f, magnitude, ldc);

        var actual = (float[])c0.Clone();
        var saved = Gemm.ForcedPath;
        Gemm.ForcedPath = path;
        try
        {
            Gemm.Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, actual, ldc);
        }
        finally
        {
            Gemm.ForcedPath = saved;
        }
        AssertClose(expected, actual, magnitude, m, n, ldc,
            $"{path} {(transA ? 'T' : 'N')}{(transB ? 'T' : 'N')} m={m} n={n} k={k} alpha={alpha} beta={beta} pads={padA},{padB},{padC}");
    }
}
