namespace Recurrent.Tests.Tensors;

/// <summary>A pre-packed right operand gives exactly (bit for bit) what packing it on every call gives.</summary>
public class GemmPackedTests
{
    [Theory]
    [MemberData(nameof(GemmTestData.PathsAndTransposes), MemberType = typeof(GemmTestData))]
    public void PackedOperandMatchesThePlainProductBitForBit(string pathName, bool transA, bool transB)
    {
        var path = GemmTestData.Path(pathName);
        var rng = new Rng(11);
        var saved = Gemm.ForcedPath;
        try
        {
            Gemm.ForcedPath = path;
            foreach (var (m, n, k) in new[] { (1, 7, 5), (4, 33, 17), (5, 33, 17), (13, 70, 300), (32, 1024, 256), (32, 256, 1024), (40, 97, 600) })
            {
                int lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2;
                var a = GemmTestData.Matrix(rng, transA ? k : m, transA ? m : k, lda);
                var stored = new float[5 + (transB ? n : k) * ldb];
                rng.FillUniform(stored, -1f, 1f);
                var packed = new PackedMatrix();
                packed.Set(transB, k, n, stored, 5, ldb);
                foreach (float beta in new[] { 0f, 1f })
                {
                    var c0 = new float[m * n];
                    rng.FillUniform(c0, -1f, 1f);
                    float[] plain = (float[])c0.Clone(), fast = (float[])c0.Clone();
                    Gemm.Multiply(transA, transB, m, n, k, 0.5f, a, lda, stored.AsSpan(5), ldb, beta, plain, n);
                    Gemm.Multiply(transA, m, 0.5f, a, lda, packed, beta, fast, n);
                    Assert.True(plain.SequenceEqual(fast), $"{path} {m}x{n}x{k} transA={transA} transB={transB} beta={beta}");
                }
            }
        }
        finally
        {
            Gemm.ForcedPath = saved;
        }
    }
}
