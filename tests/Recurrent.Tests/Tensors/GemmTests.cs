using static Recurrent.Tests.Tensors.GemmTestData;

namespace Recurrent.Tests.Tensors;

/// <summary>The fast GEMM against <see cref="GemmReference"/>, on every path this machine supports.</summary>
public class GemmTests
{
    private static readonly (float Alpha, float Beta)[] Scalings =
        [(1f, 0f), (1f, 1f), (-0.5f, 0.25f), (2f, 0f), (0.75f, -1f)];

    [Theory]
    [MemberData(nameof(PathsAndTransposes), MemberType = typeof(GemmTestData))]
    public void RandomShapesUpTo70MatchReference(string pathName, bool transA, bool transB)
    {
        var path = Path(pathName);
        var rng = new Rng(1234);
        for (int t = 0; t < 250; t++)
        {
            // Random depths and strides beside EveryMAndNUpTo70's full sweep of m and n; the first draws pin the extremes.
            int m = t switch { 0 => 1, 1 => 70, _ => 1 + rng.NextInt(70) };
            int n = t switch { 0 => 1, 1 => 70, _ => 1 + rng.NextInt(70) };
            int k = t switch { 0 => 1, 1 => 70, _ => 1 + rng.NextInt(70) };
            var (alpha, beta) = Scalings[t % Scalings.Length];
            int padA = t % 3 == 0 ? rng.NextInt(5) : 0, padB = t % 4 == 0 ? rng.NextInt(5) : 0, padC = t % 5 == 0 ? 3 : 0;
            CheckOne(rng, path, transA, transB, m, n, k, alpha, beta, padA, padB, padC);
        }
    }

    [Theory]
    [Trait("Category", "Slow")]
    [MemberData(nameof(PathsAndTransposes), MemberType = typeof(GemmTestData))]
    public void EveryMAndNUpTo70MatchReference(string pathName, bool transA, bool transB)
    {
        var path = Path(pathName);
        // Views into one buffer per operand with row strides wider than any row (71, 72, 73), at two depths:
        // k = 1, and k = 11 (an 8-step transpose block plus a remainder). The reference computes each element
        // on its own, so its result for the full 70 x 70 product, cut to m x n, is its result for m x n.
        const int Max = 70, Lda = 71, Ldb = 72, Ldc = 73;
        var rng = new Rng(99);
        var a = Matrix(rng, Max, Max, Lda);
        var b = Matrix(rng, Max, Max, Ldb);
        var c0 = Matrix(rng, Max, Max, Ldc);
        var actual = new float[c0.Length];
        var before = new float[c0.Length];
        var saved = Gemm.ForcedPath;
        try
        {
            foreach (int k in new[] { 1, 11 })
            {
                var expected = new float[Scalings.Length][];
                var magnitude = new float[Scalings.Length][];
                for (int s = 0; s < Scalings.Length; s++)
                {
                    var (alpha, beta) = Scalings[s];
                    expected[s] = (float[])c0.Clone();
                    GemmReference.Multiply(transA, transB, Max, Max, k, alpha, a, Lda, b, Ldb, beta, expected[s], Ldc);
                    magnitude[s] = c0.Select(x => MathF.Abs(beta * x)).ToArray();
                    GemmReference.Multiply(transA, transB, Max, Max, k, MathF.Abs(alpha), Abs(a), Lda, Abs(b), Ldb, 1f, magnitude[s], Ldc);
                }
                Gemm.ForcedPath = path;
                for (int m = 1; m <= Max; m++)
                {
                    for (int n = 1; n <= Max; n++)
                    {
                        int s = (m + n) % Scalings.Length;
                        var (alpha, beta) = Scalings[s];
                        c0.CopyTo(before, 0);
                        if (beta == 0f) before.AsSpan(0, m * Ldc).Fill(float.NaN);
                        before.CopyTo(actual, 0);
                        Gemm.Multiply(transA, transB, m, n, k, alpha, a, Lda, b, Ldb, beta, actual, Ldc);
                        AssertBlockClose(expected[s], actual, before, magnitude[s], m, n, Ldc, $"{path} m={m} n={n} k={k}");
                    }
                }
            }
        }
        finally
        {
            Gemm.ForcedPath = saved;
        }
    }

    // C[0..m, 0..n] close to the expected values, and every other element of C as it was before the call.
    private static void AssertBlockClose(float[] expected, float[] actual, float[] before, float[] magnitude,
        int m, int n, int ldc, string what)
    {
        for (int at = 0; at < actual.Length; at++)
        {
            int i = at / ldc, j = at % ldc;
            if (i < m && j < n)
            {
                float tolerance = 1e-5f * magnitude[at] + 1e-6f;
                if (!(MathF.Abs(expected[at] - actual[at]) <= tolerance))
                    Assert.Fail($"{what}: C[{i},{j}] = {actual[at]}, expected {expected[at]} (tolerance {tolerance})");
            }
            else if (BitConverter.SingleToInt32Bits(actual[at]) != BitConverter.SingleToInt32Bits(before[at]))
            {
                Assert.Fail($"{what}: C[{i},{j}] outside the product was written");
            }
        }
    }

    [Theory]
    [MemberData(nameof(PathsAndTransposes), MemberType = typeof(GemmTestData))]
    public void DeepProductsSpanSeveralSlabs(string pathName, bool transA, bool transB)
    {
        var path = Path(pathName);
        // K beyond one slab, so later slabs accumulate onto the first (which alone applies beta).
        var rng = new Rng(7);
        foreach (var (m, n, k) in new[] { (9, 35, 257), (17, 33, 513), (3, 70, 300), (70, 5, 700), (13, 40, 1000) })
            CheckOne(rng, path, transA, transB, m, n, k, -0.5f, 0.25f, padA: 1, padB: 2, padC: 3);
    }

    [Theory]
    [MemberData(nameof(PathsAndTransposes), MemberType = typeof(GemmTestData))]
    public void FewRowsTakeTheDirectPathAndMatchReference(string pathName, bool transA, bool transB)
    {
        var path = Path(pathName);
        var rng = new Rng(11);
        for (int m = 1; m < Gemm.DirectMaxRows + 2; m++)
        {
            foreach (var (n, k) in new[] { (1, 1), (7, 3), (33, 17), (70, 70), (130, 41), (1024, 256), (2100, 5) })
            {
                var (alpha, beta) = Scalings[(m + n) % Scalings.Length];
                CheckOne(rng, path, transA, transB, m, n, k, alpha, beta, padA: m % 2, padB: 1, padC: 2);
            }
        }
    }

    [Theory]
    [Trait("Category", "Slow")]
    [MemberData(nameof(Paths), MemberType = typeof(GemmTestData))]
    public void LstmShapesMatchReference(string pathName)
    {
        var path = Path(pathName);
        foreach (var shape in LstmShapes)
        {
            var expected = shape.Expected.Value;
            var actual = (float[])shape.C0.Clone();
            var saved = Gemm.ForcedPath;
            Gemm.ForcedPath = path;
            try
            {
                Gemm.Multiply(shape.TransA, shape.TransB, shape.M, shape.N, shape.K, 1f, shape.A, shape.Lda,
                    shape.B, shape.Ldb, shape.Beta, actual, shape.N);
            }
            finally
            {
                Gemm.ForcedPath = saved;
            }
            AssertClose(expected.C, actual, expected.Magnitude, shape.M, shape.N, shape.N, $"{path} {shape}");
        }
    }

    [Fact]
    public void EmptySumScalesC()
    {
        var c = new[] { 1f, float.NaN, 3f, 4f };
        Gemm.Multiply(false, false, 2, 2, 0, 1f, [], 1, [], 2, 0f, c, 2);
        Assert.Equal(new[] { 0f, 0f, 0f, 0f }, c);
        c = [1f, 2f, 3f, 4f];
        Gemm.Multiply(true, true, 2, 2, 0, 1f, [], 2, [], 1, -2f, c, 2);
        Assert.Equal(new[] { -2f, -4f, -6f, -8f }, c);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        var x = new float[16];
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, -1, 2, 2, 1f, x, 2, x, 2, 0f, x, 2));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, 1f, x, 2, x, 2, 0f, x, 2));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 4, 4, 4, 1f, x, 4, x, 4, 0f, new float[15], 4));
    }

    [Fact]
    public void TensorOverloadMultipliesViewsAndChecksShapes()
    {
        var rng = new Rng(5);
        var a = Tensor.RandomUniform(rng, 1f, 2, 3, 4);   // a rank-3 tensor counts as its 6 rows
        var b = Tensor.RandomUniform(rng, 1f, 5, 4);      // used transposed: 4 x 5
        var c = Tensor.Full(float.NaN, 6, 5);
        Gemm.Multiply(a, false, b, true, c);
        var expected = new float[30];
        GemmReference.Multiply(false, true, 6, 5, 4, 1f, a.Span, 4, b.Span, 4, 0f, expected, 5);
        for (int i = 0; i < 30; i++) Assert.Equal(expected[i], c.Span[i], 1e-5f);

        var row = Tensor.RandomUniform(rng, 1f, 6);       // a rank-1 tensor is one row: (1 x 6) * (6 x 5)
        var one = Tensor.Zeros(5);
        Gemm.Multiply(row, false, c, false, one, alpha: 2f, beta: 0f);
        var expectedRow = new float[5];
        GemmReference.Multiply(false, false, 1, 5, 6, 2f, row.Span, 6, c.Span, 5, 0f, expectedRow, 5);
        for (int j = 0; j < 5; j++) Assert.Equal(expectedRow[j], one.Span[j], 1e-5f);

        Assert.Throws<ArgumentException>(() => Gemm.Multiply(a, false, b, false, c));
    }

    /// <summary>The products the LSTM runs, in the transposes it runs them.</summary>
    internal static readonly LstmShape[] LstmShapes =
    [
        new(32, 256, 1024, false, true, 0f, 1),    // gates from h: H (B x H) times W_h^T
        new(1120, 256, 1027, false, true, 0f, 2),  // logits: H (BT x H) times W_out^T
        new(256, 1120, 1024, true, false, 1f, 3),  // weight gradient: H^T times dGates, accumulated
        new(1120, 1027, 256, false, false, 0f, 4), // input gradient: dLogits times W_out
    ];

    /// <summary>One LSTM product (M, K, N) with random operands and its reference result, computed once.</summary>
    internal sealed class LstmShape
    {
        public int M { get; }
        public int K { get; }
        public int N { get; }
        public bool TransA { get; }
        public bool TransB { get; }
        public float Beta { get; }
        public int Lda => TransA ? M : K;
        public int Ldb => TransB ? K : N;
        public float[] A { get; }
        public float[] B { get; }
        public float[] C0 { get; }
        public Lazy<(float[] C, float[] Magnitude)> Expected { get; }

        public LstmShape(int m, int k, int n, bool transA, bool transB, float beta, ulong seed)
        {
            (M, K, N, TransA, TransB, Beta) = (m, k, n, transA, transB, beta);
            var rng = new Rng(seed);
            A = Matrix(rng, transA ? k : m, transA ? m : k, Lda);
            B = Matrix(rng, transB ? n : k, transB ? k : n, Ldb);
            C0 = Matrix(rng, m, n, n);
            Expected = new Lazy<(float[], float[])>(() =>
            {
                var c = (float[])C0.Clone();
                GemmReference.Multiply(TransA, TransB, M, N, K, 1f, A, Lda, B, Ldb, Beta, c, N);
                // sum_k |a_ik b_kj| <= |a_i| |b_j| (Cauchy-Schwarz): a tolerance within a third of the exact one
                // for these operands, without a second reference product.
                var rowNorm = new double[M];
                var colNorm = new double[N];
                for (int i = 0; i < M; i++)
                    for (int p = 0; p < K; p++)
                        rowNorm[i] += Math.Pow(TransA ? A[p * Lda + i] : A[i * Lda + p], 2);
                for (int p = 0; p < K; p++)
                    for (int j = 0; j < N; j++)
                        colNorm[j] += Math.Pow(TransB ? B[j * Ldb + p] : B[p * Ldb + j], 2);
                var magnitude = new float[C0.Length];
                for (int i = 0; i < M; i++)
                    for (int j = 0; j < N; j++)
                        magnitude[i * N + j] = (float)(Math.Sqrt(rowNorm[i] * colNorm[j]) + Math.Abs(Beta * C0[i * N + j]));
                return (c, magnitude);
            });
        }

        public override string ToString() => $"(M,K,N)=({M},{K},{N}) {(TransA ? 'T' : 'N')}{(TransB ? 'T' : 'N')}";
    }
}
