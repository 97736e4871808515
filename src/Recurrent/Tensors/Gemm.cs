namespace Recurrent.Tensors;

/// <summary>
/// General matrix multiply, C = alpha * op(A) * op(B) + beta * C, on row-major float32 matrices.
/// </summary>
/// <remarks>
/// op(A) is M x K: A is stored M x K (row stride <c>lda</c> &gt;= K), or K x M when <c>transA</c> (lda &gt;= M).
/// op(B) is K x N: B is stored K x N (ldb &gt;= N), or N x K when <c>transB</c> (ldb &gt;= K).
/// C is M x N with row stride ldc &gt;= N. When beta is 0, C is overwritten (its old contents, even NaN, are ignored).
/// <para>
/// Products run on the widest SIMD micro-kernel the machine has (AVX-512, AVX2 + FMA, 128-bit vectors, or
/// scalar) over packed, cache-blocked operands, and on up to <see cref="Parallelism.MaxThreads"/> threads
/// when they are big enough. Threads take disjoint blocks of C and never split K, so the result is
/// bit-identical whatever the number of threads; it may differ in the last bits from one kind of
/// machine to another.
/// </para>
/// </remarks>
public static partial class Gemm
{
    private static long _operations;

    /// <summary>
    /// Floating-point operations (2·M·N·K per product) performed by all GEMMs of the process so far: benchmarks
    /// read it before and after a run to report GFLOP/s.
    /// </summary>
    public static long OperationCount => Interlocked.Read(ref _operations);

    /// <summary>C = alpha * op(A) * op(B) + beta * C on raw row-major buffers.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0) return;
        Interlocked.Add(ref _operations, 2L * m * n * k);
        unsafe
        {
            fixed (float* pa = a, pb = b, pc = c)
                Run(new GemmArgs(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc));
        }
    }

    /// <summary>C = alpha * op(A) * op(B) + beta * C with op(B) packed beforehand (see <see cref="PackedMatrix"/>).</summary>
    internal static void Multiply(bool transA, int m, float alpha, ReadOnlySpan<float> a, int lda, PackedMatrix b,
        float beta, Span<float> c, int ldc)
    {
        var source = b.Source.AsSpan(b.SourceOffset);
        Validate(transA, b.TransB, m, b.N, b.K, a.Length, lda, source.Length, b.Ldb, c.Length, ldc);
        if (m == 0 || b.N == 0) return;
        Interlocked.Add(ref _operations, 2L * m * b.N * b.K);
        bool blocked = m > DirectMaxRows && !RowStable && b.K > 0;   // the direct path reads B as it is
        if (blocked) b.EnsurePacked();
        unsafe
        {
            fixed (float* pa = a, pb = source, pc = c)
                Run(new GemmArgs(transA, b.TransB, m, b.N, b.K, alpha, pa, lda, pb, b.Ldb, beta, pc, ldc), blocked ? b : null);
        }
    }

    /// <summary>C = alpha * op(A) * op(B) + beta * C on rank-2 tensors (a rank-3 tensor counts as its rows stacked).</summary>
    public static void Multiply(Tensor a, bool transA, Tensor b, bool transB, Tensor c, float alpha = 1f, float beta = 0f)
    {
        var (ar, ac) = AsMatrix(a);
        var (br, bc) = AsMatrix(b);
        var (cr, cc) = AsMatrix(c);
        int m = transA ? ac : ar, k = transA ? ar : ac;
        int kb = transB ? bc : br, n = transB ? br : bc;
        if (k != kb || cr != m || cc != n)
            throw new ArgumentException(
                $"Cannot multiply {(transA ? "T" : "")}{a} by {(transB ? "T" : "")}{b} into {c}.");
        Multiply(transA, transB, m, n, k, alpha, a.Span, ac, b.Span, bc, beta, c.Span, cc);
    }

    private static (int Rows, int Cols) AsMatrix(Tensor t) => t.Rank switch
    {
        1 => (1, t.Columns),
        _ => (t.Length / Math.Max(1, t.Columns), t.Columns),
    };

    internal static void Validate(bool transA, bool transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentException("GEMM dimensions cannot be negative.");
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        if (lda < Math.Max(1, aCols) || ldb < Math.Max(1, bCols) || ldc < Math.Max(1, n))
            throw new ArgumentException("A leading dimension is smaller than its row.");
        if (Needed(aRows, aCols, lda) > aLength || Needed(bRows, bCols, ldb) > bLength || Needed(m, n, ldc) > cLength)
            throw new ArgumentException("A GEMM operand is shorter than its dimensions require.");
    }

    private static long Needed(int rows, int cols, int ld) => rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
}
