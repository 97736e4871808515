namespace Recurrent.Tensors;

/// <summary>
/// The plain triple-loop GEMM: slow, obviously right, and the oracle the fast <see cref="Gemm"/> is tested against.
/// </summary>
public static class GemmReference
{
    /// <summary>C = alpha * op(A) * op(B) + beta * C, with the same conventions as <see cref="Gemm.Multiply(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>.</summary>
    /// <remarks>Each element is accumulated in double over k = 0 .. K-1 in order, then rounded once.</remarks>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        Gemm.Validate(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += (double)av * bv;
                }
                ref float cij = ref c[i * ldc + j];
                cij = beta == 0f ? (float)(alpha * sum) : (float)(alpha * sum + beta * cij);
            }
        }
    }
}
