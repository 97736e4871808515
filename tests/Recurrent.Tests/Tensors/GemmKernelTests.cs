namespace Recurrent.Tests.Tensors;

/// <summary>Each SIMD micro-kernel and packing routine against its plain scalar reference.</summary>
public unsafe class GemmKernelTests
{
    [Theory]
    [MemberData(nameof(GemmParallelTests.SimdPaths), MemberType = typeof(GemmParallelTests))]
    public void SimdKernelMatchesReference(string pathName)
    {
        switch (GemmTestData.Path(pathName))
        {
            case GemmPath.Avx512: CheckKernel<Avx512Kernel>(); break;
            case GemmPath.Avx2: CheckKernel<Avx2Kernel>(); break;
            case GemmPath.Vector128: CheckKernel<Vector128Kernel>(); break;
            default: Assert.Fail($"No SIMD kernel for {pathName}"); break;
        }
    }

    // Every corner rows x cols of the tile (edges of C), three depths and three betas; the elements of C
    // outside the corner must keep their sentinel.
    private static void CheckKernel<TKernel>() where TKernel : IGemmKernel
    {
        int mr = TKernel.Mr, nr = TKernel.Nr;
        const int Ldc = 40;
        const float Sentinel = 12345f;
        var rng = new Rng(21);
        foreach (int kc in new[] { 1, 7, 64 })
        {
            var a = new float[kc * mr];
            var b = new float[kc * nr];
            rng.FillUniform(a, -1f, 1f);
            rng.FillUniform(b, -1f, 1f);
            var c0 = new float[mr * Ldc];
            rng.FillUniform(c0, -1f, 1f);
            foreach (var (alpha, beta) in new[] { (1f, 0f), (-0.5f, 1f), (2f, -0.75f) })
            {
                for (int rows = 1; rows <= mr; rows++)
                {
                    for (int cols = 1; cols <= nr; cols++)
                    {
                        var expected = Prepare(c0, rows, cols, Ldc, beta, Sentinel);
                        var actual = (float[])expected.Clone();
                        fixed (float* pa = a, pb = b, pe = expected, pc = actual)
                        {
                            GemmKernel.Reference(mr, nr, kc, pa, pb, pe, Ldc, rows, cols, alpha, beta);
                            TKernel.Run(kc, pa, pb, pc, Ldc, rows, cols, alpha, beta);
                        }
                        for (int i = 0; i < expected.Length; i++)
                        {
                            float tolerance = 1e-5f * (kc + 1) + 1e-6f;
                            if (!(MathF.Abs(expected[i] - actual[i]) <= tolerance))
                                Assert.Fail($"{typeof(TKernel).Name} kc={kc} rows={rows} cols={cols} beta={beta}: " +
                                    $"C[{i / Ldc},{i % Ldc}] = {actual[i]}, expected {expected[i]}");
                        }
                    }
                }
            }
        }
    }

    // C for one kernel call: the corner from c0 (NaN when beta is 0, which must be ignored), the rest sentinels.
    private static float[] Prepare(float[] c0, int rows, int cols, int ldc, float beta, float sentinel)
    {
        var c = new float[c0.Length];
        Array.Fill(c, sentinel);
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                c[i * ldc + j] = beta == 0f ? float.NaN : c0[i * ldc + j];
        return c;
    }

    [Theory]
    [InlineData(6)]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(16)]
    [InlineData(32)]
    public void VectorizedPackingMatchesScalar(int width)
    {
        // A source of 75 lanes by 21 steps, read both ways: lanes contiguous (a copy) and steps contiguous
        // (a transpose); 75 leaves a partial strip and 21 a partial 8-step block.
        const int Lanes = 75, Steps = 21, Pad = 3;
        var rng = new Rng(8);
        var src = new float[(Lanes + Pad) * (Steps + Pad)];
        rng.FillUniform(src, -1f, 1f);
        int strips = (Lanes + width - 1) / width;
        foreach (var (laneStride, stepStride) in new[] { (1, Lanes + Pad), (Steps + Pad, 1) })
        {
            foreach (int kc in new[] { Steps, 8, 1 })
            {
                var expected = new float[strips * width * kc];
                var actual = new float[expected.Length];
                Array.Fill(actual, float.NaN);
                fixed (float* s = src, e = expected, a = actual)
                {
                    for (int strip = 0; strip < strips; strip++)
                    {
                        int l0 = strip * width;
                        GemmPacking.PackStripScalar(s + l0 * laneStride, Math.Min(width, Lanes - l0), kc, width,
                            laneStride, stepStride, e + l0 * kc);
                    }
                    GemmPacking.Pack(s, Lanes, kc, width, laneStride, stepStride, a, vectorized: true);
                }
                Assert.Equal(expected, actual);
                // Spot-check the reference itself: strip 1, step 2, lane 3 holds source lane width + 3, step 2.
                Assert.Equal(src[(width + 3) * laneStride + Math.Min(2, kc - 1) * stepStride],
                    expected[width * kc + Math.Min(2, kc - 1) * width + 3]);
            }
        }
    }
}
