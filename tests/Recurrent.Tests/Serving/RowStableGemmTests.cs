using Recurrent.Tensors;

namespace Recurrent.Tests.Serving;

/// <summary><see cref="Gemm.RowStable"/>: every row of a product of M rows has the bits of that row multiplied alone, on every path.</summary>
public class RowStableGemmTests
{
    [Theory]
    [InlineData(true, 13, 37, 21)]
    [InlineData(true, 32, 64, 256)]
    [InlineData(true, 9, 5, 300)]
    [InlineData(false, 13, 37, 21)]
    [InlineData(false, 32, 1030, 17)]
    public void Each_row_gets_the_bits_it_gets_alone(bool transB, int m, int n, int k)
    {
        var rng = new Rng(11);
        var a = new float[m * k];
        var b = new float[n * k];
        rng.FillNormal(a, 0f, 1f);
        rng.FillNormal(b, 0f, 1f);
        int ldb = transB ? k : n;
        foreach (var path in Gemm.SupportedPaths)
        {
            Gemm.ForcedPath = path;
            try
            {
                var together = new float[m * n];
                Gemm.RowStable = true;
                Gemm.Multiply(false, transB, m, n, k, 1f, a, k, b, ldb, 0f, together, n);
                Gemm.RowStable = false;
                var blocked = new float[m * n];
                Gemm.Multiply(false, transB, m, n, k, 1f, a, k, b, ldb, 0f, blocked, n);
                for (int i = 0; i < m; i++)
                {
                    var alone = new float[n];
                    Gemm.Multiply(false, transB, 1, n, k, 1f, a.AsSpan(i * k, k), k, b, ldb, 0f, alone, n);
                    Assert.Equal(alone, together.AsSpan(i * n, n).ToArray());
                }
                // And the packed product to float tolerance: row stability is not bought with a wrong product.
                for (int i = 0; i < together.Length; i++) Assert.Equal(blocked[i], together[i], 1e-3f * (1 + MathF.Abs(blocked[i])));
            }
            finally
            {
                Gemm.RowStable = false;
                Gemm.ForcedPath = null;
            }
        }
    }
}
